package io.queueserver.security;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrantTest {
    private final ApiTokens tokens = ApiTokens.parse("ci-token-0123456789:submit:mailing+billing,"
            + "ops-token-0123456789:admin,plain-token-0123456789,viewer-token-01234567:read");

    @Test
    void tokensCarryTheirScopes() {
        assertEquals(new Grant(Grant.Scope.SUBMIT, Set.of("mailing", "billing")),
                tokens.grantOf("ci-token-0123456789").orElseThrow());
        assertEquals(Grant.ADMIN, tokens.grantOf("ops-token-0123456789").orElseThrow());
        assertEquals(Grant.ADMIN, tokens.grantOf("plain-token-0123456789").orElseThrow(), "plain tokens stay admin");
        assertEquals(Grant.Scope.READ, tokens.grantOf("viewer-token-01234567").orElseThrow().scope());
        assertTrue(tokens.grantOf("ci-token-0123456789:submit:mailing+billing").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> ApiTokens.parse("t:root"));
        assertThrows(IllegalArgumentException.class, () -> ApiTokens.parse("t:admin:mailing"),
                "admin tokens are never limited to contexts");
        assertEquals(java.util.List.of("a", "b"), ApiTokens.values("a:read, b"));
    }

    @Test
    void scopesAllowTheirRoutes() {
        Grant read = new Grant(Grant.Scope.READ, Set.of());
        Grant submit = new Grant(Grant.Scope.SUBMIT, Set.of("mailing"));
        for (String[] r : new String[][] {{"GET", "/jobs"}, {"GET", "/jobs/5"}, {"GET", "/management/"},
                {"POST", "/jobs/get"}, {"GET", "/jobs/events"}}) {
            assertTrue(read.allows(r[0], r[1]) && submit.allows(r[0], r[1]), r[1]);
        }
        for (String[] r : new String[][] {{"POST", "/jobs"}, {"POST", "/jobs/add"}}) {
            assertFalse(read.allows(r[0], r[1]), r[1]);
            assertTrue(submit.allows(r[0], r[1]), r[1]);
        }
        for (String[] r : new String[][] {{"GET", "/jobs/delete/5"}, {"DELETE", "/jobs/5"}, {"POST", "/jobs/5/run"},
                {"POST", "/jobs/5/cancel"}, {"POST", "/jobs/retry"}, {"POST", "/jobs/5/progress"}}) {
            assertFalse(read.allows(r[0], r[1]) || submit.allows(r[0], r[1]), r[1]);
            assertTrue(Grant.ADMIN.allows(r[0], r[1]), r[1]);
        }
        assertTrue(submit.maySubmitTo("mailing"));
        assertFalse(submit.maySubmitTo("billing"));
        assertTrue(read.maySubmitTo("any"));
        assertTrue(submit.maySee("mailing") && !submit.maySee("billing") && Grant.ADMIN.maySee("billing"));
    }
}
