package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recording outcomes on the real schema (H2): a job the circuit breaker held back waits and keeps its attempt. */
class CompleterTest {
    private Connection c;
    private final Completer completer = new Completer();

    @BeforeEach
    void schema() throws Exception {
        c = TestSchema.inMemory("completer");
        completer.transactions = new OneConnection(c);
        completer.backoffBaseMillis = 1000;
        completer.backoffMaxMillis = 60_000;
        completer.retryAfterMaxSeconds = 86_400;
        completer.maxSnoozes = 100;
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO queue_job (id, state, priority, neg_priority, context, concurrency_key, type, payload,"
                    + " run_at, time_added, time_started, attempt, max_attempts, owner, return_code, output)"
                    + " VALUES (1, 1, 500, -500, 'ctx', 'ctx', 'http', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6),"
                    + " LOCALTIMESTAMP(6), 2, 3, 'node-a', 503, 'the last answer')");
            s.executeUpdate("UPDATE queue_count SET n = 1 WHERE bucket = 0 AND state = 1");
        }
        c.commit();
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    @Test
    void aPausedAttemptIsGivenBackAndTheJobWaitsForTheCoolDown() throws Exception {
        Claim claim = new Claim(1, 2, 3, 0, "ctx", Json.parse("{}"), "2026-12-01 00:00:00");
        List<Optional<JobState>> states = completer.finishAll(List.of(new Completer.Finish(claim,
                Outcome.paused(30_000, "paused by the circuit breaker of host a.example (5 of the last 10 requests"
                        + " failed) until its cool-down ends"))), "node-a");
        assertEquals(List.of(Optional.of(JobState.SCHEDULED)), states);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state, attempt, return_code, output,"
                + " error, TIMESTAMPDIFF(SECOND, LOCALTIMESTAMP(6), run_at), owner FROM queue_job WHERE id = 1")) {
            rs.next();
            assertEquals(JobState.SCHEDULED.code(), rs.getInt(1));
            assertEquals(1, rs.getInt(2), "the attempt it did not make is given back");
            assertEquals(503, rs.getInt(3), "the last real attempt's result is kept");
            assertEquals("the last answer", rs.getString(4));
            assertTrue(rs.getString(5).startsWith("paused by the circuit breaker"), rs.getString(5));
            assertTrue(rs.getInt(6) >= 28 && rs.getInt(6) <= 30, "runs after the cool-down: " + rs.getInt(6));
            assertEquals(null, rs.getString(7));
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT outcome FROM queue_attempt WHERE job_id = 1")) {
            rs.next();
            assertEquals("paused_by_breaker", rs.getString(1));
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SUM(n) FROM queue_count WHERE state = "
                + JobState.SCHEDULED.code())) {
            rs.next();
            assertEquals(1, rs.getInt(1), "counted as scheduled");
        }
    }
}
