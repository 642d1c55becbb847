package io.queueserver.security;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiAccessTest {
    @Test
    void tokensCompareWhole() {
        ApiTokens tokens = ApiTokens.parse(" first-token-0123456789 , second-token-abcdefghij ,");
        assertTrue(tokens.accepts("first-token-0123456789"));
        assertTrue(tokens.accepts("second-token-abcdefghij"));
        assertFalse(tokens.accepts("first-token-012345678"));
        assertFalse(tokens.accepts("first-token-01234567890"));
        assertFalse(tokens.accepts("FIRST-token-0123456789"));
        assertFalse(tokens.accepts(""));
        assertFalse(tokens.accepts(null));
        assertFalse(tokens.accepts("first-token-0123456789,second-token-abcdefghij"));
        assertTrue(ApiTokens.parse("").isEmpty());
        assertTrue(ApiTokens.parse(" , ").isEmpty());
    }

    @Test
    void authorizationSchemes() {
        assertTrue("t".equals(ApiTokens.fromAuthorization("Bearer t")));
        assertTrue("t".equals(ApiTokens.fromAuthorization("bearer   t ")));
        String basic = Base64.getEncoder().encodeToString("me:the-token".getBytes(StandardCharsets.UTF_8));
        assertTrue("the-token".equals(ApiTokens.fromAuthorization("Basic " + basic)));
        assertTrue(ApiTokens.fromAuthorization("Basic !!!") == null);
        assertTrue(ApiTokens.fromAuthorization("Token t") == null);
        assertTrue(ApiTokens.fromAuthorization("t") == null);
    }

    @Test
    void withoutTokensOnlyLoopbackClientsThatNameTheServerLocally() {
        ApiAccess access = new ApiAccess(ApiTokens.parse(""));
        assertTrue(access.refusal("127.0.0.1", "127.0.0.1:8080", null).isEmpty());
        assertTrue(access.refusal("::1", "[::1]:8080", null).isEmpty());
        assertTrue(access.refusal("0:0:0:0:0:0:0:1", "localhost:8080", null).isEmpty());
        assertTrue(access.refusal("127.0.0.5", "localhost", null).isEmpty());
        assertTrue(access.refusal("192.0.2.2", "127.0.0.1:8080", null).orElseThrow().contains("QUEUE_API_TOKENS"));
        assertTrue(access.refusal("10.0.0.1", "localhost", "Bearer anything").isPresent());
        assertTrue(access.refusal("127.0.0.1", "evil.example:8080", null).orElseThrow().contains("Host"));
        assertTrue(access.refusal("127.0.0.1", null, null).isPresent());
        assertTrue(access.refusal(null, "localhost", null).isPresent());
    }

    @Test
    void withTokensEveryClientNeedsOne() {
        ApiAccess access = new ApiAccess(ApiTokens.parse("s3cret-token-0123456789"));
        assertTrue(access.refusal("192.0.2.2", "queue.example", "Bearer s3cret-token-0123456789").isEmpty());
        assertTrue(access.refusal("127.0.0.1", "localhost", null).isPresent());
        assertTrue(access.refusal("192.0.2.2", "x", "Bearer wrong").orElseThrow().contains("not valid"));
    }
}
