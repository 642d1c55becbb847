package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Flow control on one node: concurrency per key at the target, pause, backlog caps, rates, turns, bad input. */
class FlowControlIT extends DeployedServerTest {

    private Api.Answer put(String key, String body) {
        return api.send(HttpRequest.newBuilder(api.uri("/limits/" + key)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    private void delete(String key) {
        api.send(HttpRequest.newBuilder(api.uri("/limits/" + key)).DELETE());
    }

    private long job(String key, String path) {
        return api.add("{\"concurrency_key\":\"" + key + "\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url(path) + "\"}}");
    }

    @Test
    void aKeyLimitedToTwoNeverRunsThreeAndSaysWhy() {
        assertEquals(200, put("fc-mail", "{\"concurrency\":2}").status());
        try {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(job("fc-mail", "/fc-mail?hold_ms=300"));
            }
            boolean toldWhy = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!toldWhy && System.nanoTime() < deadline) {
                for (long id : ids) {
                    JsonObject job = api.job(id);
                    if (job.getString("state").equals("waiting") && job.containsKey("held_by")
                            && job.getJsonArray("held_by").toString().contains("key `fc-mail` at its limit 2/2")) {
                        toldWhy = true;
                        break;
                    }
                }
            }
            assertTrue(toldWhy, "a waiting job says the key is at its limit");
            ids.forEach(api::awaitFinal);
            assertEquals(2, target.maxConcurrent("/fc-mail"), "at most 2 at once, and the limit was used");
            JsonObject rule = api.get("/limits/fc-mail").object();
            assertEquals(2, rule.getInt("concurrency"));
            assertEquals(0, rule.getInt("running"));
        } finally {
            delete("fc-mail");
        }
    }

    @Test
    void aPausedKeyStartsNothingUntilResumed() {
        assertEquals(200, api.postJson("/limits/fc-thumbs/pause", "").status());
        try {
            long id = job("fc-thumbs", "/fc-thumbs");
            Api.sleep(1500);
            JsonObject job = api.job(id);
            assertEquals("waiting", job.getString("state"));
            assertTrue(job.getJsonArray("held_by").toString().contains("is paused"), job.toString());
            assertTrue(api.get("/limits").object().getJsonArray("limits").toString().contains("\"fc-thumbs\""));
            assertEquals(200, api.postJson("/limits/fc-thumbs/resume", "").status());
            assertEquals("done", api.awaitFinal(id).getString("state"));
        } finally {
            delete("fc-thumbs");
        }
    }

    @Test
    void aKeyAtItsBacklogCapIsAnswered429AndNothingIsStored() throws Exception {
        assertEquals(200, put("fc-cap", "{\"paused\":true,\"max_backlog\":2}").status());
        try {
            job("fc-cap", "/fc-cap");
            job("fc-cap", "/fc-cap");
            Api.Answer refused = api.postJson("/jobs", "{\"concurrency_key\":\"fc-cap\",\"command\":{\"type\":\"http\","
                    + "\"url\":\"" + target.url("/fc-cap") + "\"}}");
            assertEquals(429, refused.status(), refused.body());
            assertEquals("concurrency_key", refused.object().getString("field"));
            assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent());
            try (Connection c = database(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM queue_job WHERE concurrency_key = 'fc-cap'")) {
                rs.next();
                assertEquals(2, rs.getInt(1), "the refused job was not stored");
            }
        } finally {
            delete("fc-cap");
        }
    }

    @Test
    void aRateLimitSpreadsJobsWithoutUsingAttempts() {
        assertEquals(200, put("fc-rate", "{\"rate\":\"5/s\",\"burst\":1}").status());
        try {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                ids.add(job("fc-rate", "/fc-rate"));
            }
            ids.forEach(id -> assertEquals(1, api.awaitFinal(id).getInt("attempt"), "held back, not retried"));
            List<RecordingTarget.Hit> hits = target.hits("/fc-rate");
            double seconds = (hits.get(hits.size() - 1).nanos() - hits.get(0).nanos()) / 1e9;
            assertTrue(seconds >= 1.2, "8 jobs at 5/s after a burst of 1 take about 1.4 s: " + seconds);
        } finally {
            delete("fc-rate");
        }
    }

    @Test
    void aLoneJobIsNotQueuedBehindAnotherKeysFlood() {
        String flood = "{\"concurrency_key\":\"fc-flood\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/fc-flood?hold_ms=100") + "\"}}";
        assertEquals(201, api.postJson("/jobs", "[" + String.join(",", java.util.Collections.nCopies(60, flood)) + "]")
                .status(), "60 jobs of one key wait at once");
        long lone = job("fc-lone", "/fc-lone");
        api.awaitFinal(lone);
        long loneAt = target.hits("/fc-lone").get(0).nanos();
        long before = target.hits("/fc-flood").stream().filter(h -> h.nanos() < loneAt).count();
        assertTrue(before < 16, "the lone job started after " + before + " of 60 flood jobs (4 slots)");
    }

    @Test
    void badLimitsAreRefusedNamingTheField() {
        assertField(put("fc-bad", "{\"concurrency\":-1}"), "concurrency");
        assertField(put("fc-bad", "{\"rate\":\"abc\"}"), "rate");
        assertField(put("fc-bad", "{\"rate\":\"1000000/s\"}"), "rate");
        assertField(put("fc-bad", "{\"burst\":5}"), "burst");
        assertField(put("fc-bad", "{\"bogus\":1}"), "bogus");
        assertField(put("fc-bad", "[1]"), "body");
        assertField(put("*", "{\"concurrency\":2}"), "key");
        assertField(put("a*b*", "{\"concurrency\":2}"), "key");
        assertField(put("host:api.example.com", "{\"concurrency\":2}"), "concurrency");
        assertField(put("context:billing", "{\"rate\":\"1/s\"}"), "key");
        assertEquals(404, api.get("/limits/fc-bad").status(), "nothing was stored");
        assertEquals(404, api.send(HttpRequest.newBuilder(api.uri("/limits/fc-none")).DELETE()).status());
        assertField(api.postJson("/jobs", "{\"concurrency_key\":\"x*\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/x") + "\"}}"), "concurrency_key");
    }

    private static void assertField(Api.Answer answer, String field) {
        assertEquals(400, answer.status(), answer.body());
        assertEquals(field, answer.object().getString("field"), answer.body());
    }
}
