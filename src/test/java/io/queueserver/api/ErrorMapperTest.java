package io.queueserver.api;

import io.queueserver.store.CommitFailedProbe;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.sql.SQLTransientConnectionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a submit that failed in the database is answered: nothing stored, or an outcome nobody can know. */
class ErrorMapperTest {
    @Test
    void anUnknownCommitOutcomeIsA500ThatSaysSo() {
        Response r = new ErrorMapper().toResponse(new IllegalStateException("jobs not stored",
                CommitFailedProbe.unknown()));
        assertEquals(500, r.getStatus());
        assertEquals("unknown", r.getHeaderString(ErrorMapper.OUTCOME));
        assertTrue(r.getEntity().toString().contains("\"type\":\"" + io.queueserver.core.Problems.OUTCOME_UNKNOWN + "\""),
                r.getEntity().toString());
    }

    @Test
    void anUnreachableDatabaseIsA503ThatStoredNothing() {
        Response r = new ErrorMapper().toResponse(new IllegalStateException("jobs not stored",
                new SQLTransientConnectionException("refused", "08001")));
        assertEquals(503, r.getStatus());
        assertEquals("5", r.getHeaderString("Retry-After"));
        assertNull(r.getHeaderString(ErrorMapper.OUTCOME));
    }
}
