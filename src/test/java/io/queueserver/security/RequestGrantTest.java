package io.queueserver.security;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestGrantTest {
    private final RequestGrant grant = new RequestGrant();
    private final Grant mailing = new Grant(Grant.Scope.SUBMIT, Set.of("mailing"));

    @Test
    void aRequestSeesItsOwnGrantAndTheThreadsNextRequestStartsWithout() {
        RequestGrant.enter(mailing);
        try {
            assertEquals(mailing, grant.get());
            assertTrue(grant.maySubmitTo("mailing"));
            assertFalse(grant.maySubmitTo("billing"));
            assertFalse(grant.maySee("billing"));
            assertEquals(Set.of("mailing"), grant.contexts());
        } finally {
            RequestGrant.leave();
        }
        assertEquals(Grant.ADMIN, grant.get(), "where no filter ran");
    }

    @Test
    void anotherThreadDoesNotSeeTheRequestsGrant() throws Exception {
        RequestGrant.enter(mailing);
        try {
            assertEquals(Grant.ADMIN, CompletableFuture.supplyAsync(grant::get).get());
        } finally {
            RequestGrant.leave();
        }
    }
}
