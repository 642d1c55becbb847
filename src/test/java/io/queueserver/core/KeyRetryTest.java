package io.queueserver.core;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A key's default retry policy: checked like a job's own, applied where the job sets nothing, job fields winning. */
class KeyRetryTest {
    private static LimitRule rule(String key, String body) {
        return LimitBody.parse(key, Json.parse(body));
    }

    private static String refusedField(String key, String body) {
        return assertThrows(InvalidField.class, () -> rule(key, body)).field();
    }

    private static Claim claim(String job, int maxAttempts) {
        return new Claim(7, 1, maxAttempts, 0, "ctx", Json.parse(job), "2030-01-01 00:00:00");
    }

    @Test
    void badFieldsAreRefusedByTheirPath() {
        assertEquals("retry.backoff.multiplier", refusedField("k", "{\"retry\":{\"backoff\":{\"multiplier\":0.5}}}"));
        assertEquals("retry.backoff.max", refusedField("k", "{\"retry\":{\"backoff\":{\"min\":5,\"max\":1}}}"));
        assertEquals("retry.max_attempts", refusedField("k", "{\"retry\":{\"max_attempts\":0}}"));
        assertEquals("retry.max_attempts", refusedField("k", "{\"retry\":{\"max_attempts\":-1}}"));
        assertEquals("retry.max_retry_duration", refusedField("k", "{\"retry\":{\"max_retry_duration\":0}}"));
        assertEquals("retry.retry_on", refusedField("k", "{\"retry\":{\"retry_on\":[700]}}"));
        assertEquals("retry.fail_on", refusedField("k", "{\"retry\":{\"retry_on\":[503],\"fail_on\":[503]}}"));
        assertEquals("retry.jitter", refusedField("k", "{\"retry\":{\"jitter\":0.1}}"));
        assertEquals("retry", refusedField("k", "{\"retry\":5}"));
        assertEquals("retry", refusedField("host:api.example.com", "{\"retry\":{\"max_attempts\":3}}"));
        assertEquals("retry", refusedField("context:billing", "{\"retry\":{\"max_attempts\":3}}"));
    }

    @Test
    void aPolicyIsKeptWithItsNumbersAsNumbers() {
        LimitRule r = rule("tenant-*", "{\"concurrency\":2,\"retry\":{\"max_attempts\":\"4\",\"max_retry_duration\":\"60\","
                + "\"backoff\":{\"min\":0.5},\"retry_on\":[404],\"fail_on\":null}}");
        assertEquals(4, r.retry().policy().getInt("max_attempts"));
        assertEquals(60, r.retry().policy().getInt("max_retry_duration"));
        assertFalse(r.retry().policy().containsKey("fail_on"));
        assertEquals(r.retry(), KeyRetry.stored(r.retry().policy().toString()));
    }

    @Test
    void theKeysPolicyFillsInWhatTheJobDoesNotSet() {
        KeyRetry retry = rule("k", "{\"retry\":{\"max_attempts\":5,\"backoff\":{\"min\":7,\"max\":7,\"jitter\":0},"
                + "\"max_retry_duration\":600,\"retry_on\":[404,409],\"fail_on\":[503]}}").retry();
        Claim plain = retry.applyTo(claim("{\"command\":{\"type\":\"http\",\"url\":\"http://a/\"}}", 1));
        assertEquals(5, plain.maxAttempts());
        assertEquals(7000, RetryPolicy.of(plain.job(), RetryPolicy.defaults(1000, 3600_000)).delayMillis(3));
        assertEquals(600, plain.job().getInt("max_retry_duration"));
        assertEquals("[404,409]", plain.job().getJsonObject("command").getJsonArray("retry_on").toString());
        assertEquals("[503]", plain.job().getJsonObject("command").getJsonArray("fail_on").toString());

        Claim own = retry.applyTo(claim("{\"max_attempts\":2,\"backoff\":{\"max\":1},\"command\":{\"type\":\"http\","
                + "\"url\":\"http://a/\",\"fail_on\":[404]}}", 2));
        assertEquals(2, own.maxAttempts(), "the job's max_attempts wins");
        assertEquals("{\"max\":1}", own.job().getJsonObject("backoff").toString(), "a job's backoff wins as a whole");
        JsonObject command = own.job().getJsonObject("command");
        assertEquals("[404]", command.getJsonArray("fail_on").toString(), "the job's fail_on wins");
        assertEquals("[409]", command.getJsonArray("retry_on").toString(), "without the code the job fails on");

        Claim exec = retry.applyTo(claim("{\"command\":{\"type\":\"exec\",\"argv\":[\"/bin/true\"]}}", 1));
        assertFalse(exec.job().getJsonObject("command").containsKey("retry_on"), "status lists are for http jobs");
        assertEquals(5, exec.maxAttempts());
    }

    @Test
    void theKeysOwnRuleWinsOverPatternsAndTheLongestPatternOverShorterOnes() {
        LimitBook book = new LimitBook(List.of(
                rule("tenant-*", "{\"retry\":{\"max_attempts\":2}}"),
                rule("tenant-eu-*", "{\"retry\":{\"max_attempts\":3}}"),
                rule("tenant-eu-1", "{\"concurrency\":1}"),
                rule("tenant-eu-2", "{\"retry\":{\"max_attempts\":4}}")));
        assertEquals("tenant-eu-*", book.retryRule("tenant-eu-1").orElseThrow().key(), "a rule without retry is skipped");
        assertEquals("tenant-eu-2", book.retryRule("tenant-eu-2").orElseThrow().key());
        assertEquals("tenant-*", book.retryRule("tenant-us").orElseThrow().key());
        assertTrue(book.retryRule("other").isEmpty());
        Claim c = claim("{\"concurrency_key\":\"tenant-eu-2\",\"command\":{\"type\":\"http\",\"url\":\"http://a/\"}}", 1);
        assertEquals(4, book.withKeyRetry(List.of(c)).get(0).maxAttempts());
        List<Claim> claims = List.of(c);
        assertTrue(LimitBook.EMPTY.withKeyRetry(claims) == claims, "no rule with a policy: the claims as they are");
    }
}
