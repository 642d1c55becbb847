package io.queueserver.workers;

import io.queueserver.core.Json;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Outcome;
import io.queueserver.core.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP contract's rules, status by status and header by header. */
class AnswerRulesTest {
    private static HttpHeaders headers(String... pairs) {
        Map<String, List<String>> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            map.put(pairs[i], List.of(pairs[i + 1]));
        }
        return HttpHeaders.of(map, (a, b) -> true);
    }

    private static Outcome.Kind kind(AnswerRules rules, int status) {
        return rules.judge(status, status >= 200 && status < 300, headers()).kind();
    }

    @Test
    void defaultsByStatus() {
        AnswerRules d = AnswerRules.DEFAULTS;
        assertEquals(Outcome.Kind.DEFAULT, kind(d, 200));
        for (int retried : new int[] {408, 425, 429, 500, 502, 503, 504}) {
            assertEquals(Outcome.Kind.RETRY, kind(d, retried), "status " + retried);
        }
        for (int failed : new int[] {301, 400, 401, 403, 404, 409, 410, 422, 501}) {
            assertEquals(Outcome.Kind.FAIL, kind(d, failed), "status " + failed);
        }
    }

    @Test
    void retryOnAndFailOnMoveStatuses() {
        AnswerRules rules = AnswerRules.parse(new JsonFields(Json.parse("{\"retry_on\":[404],\"fail_on\":[503]}"), ""));
        assertEquals(Outcome.Kind.RETRY, kind(rules, 404));
        assertEquals(Outcome.Kind.FAIL, kind(rules, 503));
    }

    @Test
    void headersSteerTheAnswer() {
        AnswerRules d = AnswerRules.DEFAULTS;
        Outcome.Next after = d.judge(503, false, headers("Retry-After", "30"));
        assertEquals(new Outcome.Next(Outcome.Kind.RETRY, 30_000, "Retry-After: 30 s"), after);
        assertEquals(0, d.judge(500, false, headers("Retry-After", "30")).delayMillis(), "only on 429 and 503");
        assertEquals(Outcome.Kind.FAIL, d.judge(500, false, headers("Queue-No-Retry", "1")).kind());
        assertEquals(7_000, d.judge(404, false, headers("Queue-Retry-After", "7")).delayMillis());
        Outcome.Next snooze = d.judge(200, true, headers("Queue-Snooze", "300"));
        assertEquals(Outcome.Kind.SNOOZE, snooze.kind());
        assertEquals(300_000, snooze.delayMillis());
    }

    @Test
    void retryAfterAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        assertEquals(Duration.ofSeconds(120), AnswerRules.retryAfter("120", now));
        assertEquals(Duration.ofSeconds(90), AnswerRules.retryAfter("Tue, 01 Dec 2026 12:01:30 GMT", now));
        assertEquals(Duration.ZERO, AnswerRules.retryAfter("Tue, 01 Dec 2026 11:00:00 GMT", now), "a past date: now");
        assertNull(AnswerRules.retryAfter("soon", now));
    }

    @Test
    void backoffGrowsToItsMaximumWithinItsJitter() {
        RetryPolicy p = RetryPolicy.of(Json.parse("{\"backoff\":{\"min\":0.5,\"max\":10,\"multiplier\":3,"
                + "\"max_doublings\":2,\"jitter\":0.2}}"), RetryPolicy.defaults(1000, 3_600_000));
        long first = p.delayMillis(1);
        long third = p.delayMillis(3);
        long tenth = p.delayMillis(10);
        assertTrue(first >= 400 && first <= 500, "0.5 s less up to 20 %: " + first);
        assertTrue(third >= 3600 && third <= 4500, "0.5 * 3^2 = 4.5 s: " + third);
        assertTrue(tenth >= 3600 && tenth <= 4500, "max_doublings caps the growth: " + tenth);
    }
}
