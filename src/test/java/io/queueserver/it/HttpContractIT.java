package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a target's answer means (README "The HTTP contract"), against a real local target that answers by script. */
class HttpContractIT extends DeployedServerTest {

    private long job(String path, String extra) {
        return api.add("{\"max_attempts\":3,\"backoff\":{\"min\":0.2,\"max\":0.2}" + extra
                + ",\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"" + commandExtra + "}}");
    }

    private String commandExtra = "";

    private static List<String> outcomes(JsonObject job) {
        JsonArray attempts = job.getJsonArray("attempts");
        return attempts.stream().map(a -> a.asJsonObject().getString("outcome")).toList();
    }

    private double secondsBetweenHits(String path, int first, int second) {
        List<RecordingTarget.Hit> hits = target.hits(path);
        return (hits.get(second).nanos() - hits.get(first).nanos()) / 1e9;
    }

    @Test
    void aNotFoundFailsAtOnceAndAServiceErrorIsRetried() {
        target.scripts.put("/hc-404", n -> RecordingTarget.Scripted.of(404));
        target.scripts.put("/hc-502", n -> RecordingTarget.Scripted.of(n < 3 ? 502 : 200));
        JsonObject gone = api.awaitFinal(job("/hc-404", ""));
        assertEquals("failed", gone.getString("state"));
        assertEquals(List.of("failed"), outcomes(gone), "a 404 will not heal: one attempt");
        assertTrue(gone.getString("error").contains("not retried"), gone.getString("error"));
        JsonObject healed = api.awaitFinal(job("/hc-502", ""));
        assertEquals("done", healed.getString("state"));
        assertEquals(List.of("retry", "retry", "done"), outcomes(healed));
        assertFalse(api.get("/hosts").object().getJsonObject("breaker").getBoolean("enabled"),
                "the circuit breaker is off unless QUEUE_BREAKER=on: failures of a host pause nothing");
    }

    @Test
    void retryAfterInSecondsAndAsADateIsHonoured() {
        target.scripts.put("/hc-after", n -> n == 1 ? RecordingTarget.Scripted.of(503, "Retry-After", "2")
                : RecordingTarget.Scripted.of(200));
        long after = job("/hc-after", "");
        JsonObject waiting = api.awaitJob(after, j -> j.getString("state").equals("scheduled"), Duration.ofSeconds(10));
        String why = waiting.getJsonObject("next_run").getString("why");
        assertTrue(why.contains("503") && why.contains("Retry-After"), "the job says when and why: " + why);
        assertEquals("done", api.awaitFinal(after).getString("state"));
        double waited = secondsBetweenHits("/hc-after", 0, 1);
        assertTrue(waited >= 1.9 && waited < 4, "Retry-After: 2 waited " + waited + " s");

        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3));
        target.scripts.put("/hc-date", n -> n == 1 ? RecordingTarget.Scripted.of(429, "Retry-After", date)
                : RecordingTarget.Scripted.of(200));
        assertEquals("done", api.awaitFinal(job("/hc-date", "")).getString("state"));
        double untilDate = secondsBetweenHits("/hc-date", 0, 1);
        assertTrue(untilDate >= 1.5 && untilDate < 5, "Retry-After as a date 3 s ahead waited " + untilDate + " s");
    }

    @Test
    void ourOwnHeadersSteerAnyStatus() {
        target.scripts.put("/hc-noretry", n -> RecordingTarget.Scripted.of(500, "Queue-No-Retry", "1"));
        assertEquals(List.of("failed"), outcomes(api.awaitFinal(job("/hc-noretry", ""))));
        target.scripts.put("/hc-asked", n -> n == 1 ? RecordingTarget.Scripted.of(400, "Queue-Retry-After", "1")
                : RecordingTarget.Scripted.of(200));
        assertEquals(List.of("retry", "done"), outcomes(api.awaitFinal(job("/hc-asked", ""))));
        assertTrue(secondsBetweenHits("/hc-asked", 0, 1) >= 0.9);
    }

    @Test
    void retryOnAndFailOnOverrideTheDefaults() {
        target.scripts.put("/hc-on", n -> RecordingTarget.Scripted.of(n == 1 ? 404 : 200));
        commandExtra = ",\"retry_on\":[404]";
        assertEquals(List.of("retry", "done"), outcomes(api.awaitFinal(job("/hc-on", ""))));
        target.scripts.put("/hc-off", n -> RecordingTarget.Scripted.of(503));
        commandExtra = ",\"fail_on\":[503]";
        assertEquals(List.of("failed"), outcomes(api.awaitFinal(job("/hc-off", ""))));
        commandExtra = "";
    }

    @Test
    void aSnoozeRunsTheJobAgainWithoutUsingAnAttempt() {
        target.scripts.put("/hc-snooze", n -> n <= 2 ? RecordingTarget.Scripted.of(200, "Queue-Snooze", "1")
                : RecordingTarget.Scripted.of(200));
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hc-snooze") + "\"}}");
        JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(20));
        assertEquals(1, job.getInt("attempt"), "snoozes use no attempt (max_attempts is 1)");
        assertEquals(List.of("snoozed", "snoozed", "done"), outcomes(job));
        assertEquals(3, target.hits("/hc-snooze").size());
        assertTrue(secondsBetweenHits("/hc-snooze", 0, 1) >= 0.9, "snoozed for a second");
    }

    @Test
    void maxRetryDurationStopsRetries() {
        target.scripts.put("/hc-forever", n -> RecordingTarget.Scripted.of(500));
        long id = api.add("{\"max_attempts\":-1,\"max_retry_duration\":3,\"backoff\":{\"min\":0.5,\"max\":0.5,"
                + "\"jitter\":0},\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hc-forever") + "\"}}");
        JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("failed"), Duration.ofSeconds(30));
        assertTrue(job.getString("error").contains("max_retry_duration"), job.getString("error"));
        int runs = target.hits("/hc-forever").size();
        assertTrue(runs >= 3 && runs <= 8, "retried for about 3 s every 0.5 s: " + runs + " runs");
    }

    @Test
    void aJobNotStartedByItsExpiryEndsExpiredWithItsFailedCallback() throws Exception {
        assertEquals(200, api.postJson("/limits/hc-expiring/pause", "").status()); // nothing of the key starts
        try {
            long id = api.add("{\"concurrency_key\":\"hc-expiring\",\"expires_in\":2,\"command\":{\"type\":\"http\","
                    + "\"url\":\"" + target.url("/hc-expired") + "\"},\"callback_failed\":{\"type\":\"http\","
                    + "\"method\":\"POST\",\"url\":\"" + target.url("/hc-expired-cb") + "\"}}");
            JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("expired"), Duration.ofSeconds(15));
            assertEquals(5, job.getInt("worker_status"));
            assertTrue(job.getString("error").startsWith("expired: not started by"), job.getString("error"));
            RecordingTarget.Hit callback = target.awaitHit("/hc-expired-cb", 20_000);
            assertTrue(callback.body().contains("\"expired\""), callback.body());
            assertTrue(target.hits("/hc-expired").isEmpty(), "it never ran");
            assertEquals(5, api.get("/jobs/status/" + id).data().getInt("worker_status"));
        } finally {
            api.postJson("/limits/hc-expiring/resume", "");
            api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/hc-expiring")).DELETE());
        }
        long inTime = api.add("{\"expires_in\":60,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hc-in-time")
                + "\"}}");
        assertEquals("done", api.awaitFinal(inTime).getString("state"), "a job that starts in time runs as usual");
    }

    private Api.Answer putLimit(String key, String body) {
        return api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/" + key))
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body)));
    }

    private long keyed(String key, String path, String extra) {
        return api.add("{\"concurrency_key\":\"" + key + "\"" + extra + ",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url(path) + "\"}}");
    }

    @Test
    void aKeysRetryPolicyAppliesToItsJobsWhereTheyDoNotSetTheirOwn() {
        String policy = "{\"retry\":{\"max_attempts\":3,\"backoff\":{\"min\":0.2,\"max\":0.2},\"retry_on\":[404]}}";
        assertEquals(200, putLimit("hc-keyed-*", policy).status());
        try {
            target.scripts.put("/hc-keyed", n -> RecordingTarget.Scripted.of(n < 3 ? 404 : 200));
            long id = keyed("hc-keyed-a", "/hc-keyed", "");
            JsonObject job = api.awaitFinal(id);
            assertEquals(List.of("retry", "retry", "done"), outcomes(job), "3 attempts, and a 404 retried, by the key");
            assertEquals("hc-keyed-*", job.getJsonObject("retry_policy").getString("key"));
            assertEquals(3, job.getJsonObject("retry_policy").getInt("max_attempts"));

            target.scripts.put("/hc-keyed-own", n -> RecordingTarget.Scripted.of(404));
            JsonObject own = api.awaitFinal(keyed("hc-keyed-b", "/hc-keyed-own", ",\"max_attempts\":1"));
            assertEquals(List.of("failed"), outcomes(own), "the job's own max_attempts wins");

            // a rule changed while the job waits applies to it: the policy is read when the job is claimed
            assertEquals(200, putLimit("hc-later", "{\"paused\":true}").status());
            target.scripts.put("/hc-later", n -> RecordingTarget.Scripted.of(n == 1 ? 503 : 200));
            long later = keyed("hc-later", "/hc-later", "");
            Api.sleep(700);
            assertEquals("waiting", api.job(later).getString("state"));
            assertEquals(200, putLimit("hc-later", "{\"retry\":{\"max_attempts\":2,\"backoff\":{\"min\":0.2,"
                    + "\"max\":0.2}}}").status());
            assertEquals(List.of("retry", "done"), outcomes(api.awaitFinal(later)));
        } finally {
            api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/hc-keyed-*")).DELETE());
            api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/hc-later")).DELETE());
        }
    }

    @Test
    void badKeyPoliciesAreRefusedNamingTheFieldAndNothingIsStored() {
        assertLimitField("{\"retry\":{\"backoff\":{\"multiplier\":0.5}}}", "retry.backoff.multiplier");
        assertLimitField("{\"retry\":{\"max_attempts\":-1}}", "retry.max_attempts");
        assertLimitField("{\"retry\":{\"fail_on\":[\"x\"]}}", "retry.fail_on");
        assertLimitField("{\"retry\":{\"max_retry_duration\":-5}}", "retry.max_retry_duration");
        assertLimitField("{\"retry\":{\"bogus\":1}}", "retry.bogus");
        assertEquals(404, api.get("/limits/hc-bad-policy").status(), "nothing stored");
    }

    private void assertLimitField(String body, String field) {
        Api.Answer a = putLimit("hc-bad-policy", body);
        assertEquals(400, a.status(), a.body());
        assertEquals(field, a.object().getString("field"), a.body());
    }

    @Test
    void badPolicyFieldsAreRefusedNamingTheField() {
        String http = "\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hc-never") + "\"";
        assertField("{\"backoff\":{\"jitter\":2}," + http + "}}", "backoff.jitter");
        assertField("{\"backoff\":{\"min\":5,\"max\":1}," + http + "}}", "backoff.max");
        assertField("{\"backoff\":{\"bogus\":1}," + http + "}}", "backoff.bogus");
        assertField("{\"max_attempts\":0," + http + "}}", "max_attempts");
        assertField("{\"max_attempts\":-1," + http + "}}", "max_attempts");
        assertField("{\"max_retry_duration\":0," + http + "}}", "max_retry_duration");
        assertField("{" + http + ",\"retry_on\":[\"x\"]}}", "command.retry_on");
        assertField("{" + http + ",\"retry_on\":[503],\"fail_on\":[503]}}", "command.fail_on");
        assertField("{\"expires_in\":0," + http + "}}", "expires_in");
        assertField("{\"expires_at\":\"tomorrow\"," + http + "}}", "expires_at");
        assertField("{\"expires_at\":\"2020-01-01T00:00:00Z\"," + http + "}}", "expires_at");
        assertField("{\"delay\":60,\"expires_in\":30," + http + "}}", "expires_in");
        assertTrue(target.hits("/hc-never").isEmpty());
    }

    private void assertField(String job, String field) {
        Api.Answer a = api.postJson("/jobs", job);
        assertEquals(400, a.status(), a.body());
        assertEquals(field, a.object().getString("field"), a.body());
    }
}
