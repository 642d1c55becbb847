package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application's checks in Payara's /health and its metrics in /metrics. */
class OperationsIT extends DeployedServerTest {

    @Test
    void healthAndMetrics() throws Exception {
        Api api = new Api(base);
        JsonObject ready = api.get("/health/ready").object();
        assertEquals("UP", ready.getString("status"), ready.toString());
        assertTrue(ready.toString().contains("queue-database"), ready.toString());
        JsonObject live = api.get("/health/live").object();
        assertEquals("UP", live.getString("status"), live.toString());
        assertTrue(live.toString().contains("queue-dispatcher"), live.toString());

        try (RecordingTarget target = new RecordingTarget()) {
            api.awaitFinal(api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/m") + "\"}}"));
        }
        String metrics = api.get("/metrics?scope=application").body();
        for (String name : new String[] {"queue_jobs_submitted_total", "queue_jobs_started_total",
                "queue_jobs_finished_total", "queue_jobs_waiting", "queue_jobs_running", "queue_job_duration"}) {
            assertTrue(metrics.contains(name), name + " missing from:\n" + metrics);
        }
        assertTrue(metrics.contains("outcome=\"done\""), metrics);
    }

    /** /status: the checks of /health and the counters of /jobs/status in one open answer. */
    @Test
    void statusForMonitoringAgreesWithHealthAndTheCounters() {
        Api api = new Api(base);
        Api.Answer answer = api.get("/status", "Authorization", "Bearer not-a-token");
        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
        assertEquals("no-store", answer.raw().headers().firstValue("Cache-Control").orElse(""));
        JsonObject status = answer.object();
        assertEquals("UP", status.getString("status"));
        assertTrue(status.getBoolean("ready") && status.getBoolean("live"), status.toString());
        assertEquals(api.get("/").object().getString("version"), status.getString("version"));
        JsonObject checks = status.getJsonObject("checks");
        assertEquals("UP", checks.getJsonObject("queue-database").getString("status"));
        assertEquals("UP", checks.getJsonObject("queue-dispatcher").getString("status"));
        assertTrue(checks.getJsonObject("queue-dispatcher").getJsonNumber("millis-since-tick").longValue() < 60_000);
        JsonObject counters = api.get("/jobs/status").data();
        JsonObject jobs = status.getJsonObject("jobs");
        assertEquals(counters.keySet(), jobs.keySet());
        assertEquals(counters.getInt("max_threads"), jobs.getInt("max_threads"));
        assertTrue(Math.abs(counters.getInt("all_jobs") - jobs.getInt("all_jobs")) <= 5, jobs + " vs " + counters);
        assertTrue(api.get("/health/ready").body().contains(checks.getJsonObject("queue-database")
                .get("schema-version").toString()), "the same check as /health/ready");
    }

    /** Keys with a rule get gauges of their own; keys without one get none, however many there are. */
    @Test
    void keysWithARuleHaveGaugesAndOthersDoNot() throws Exception {
        Api api = new Api(base);
        assertEquals(200, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/ops-key"))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"paused\":true}"))).status());
        try {
            for (int i = 0; i < 3; i++) {
                api.add("{\"concurrency_key\":\"ops-key\",\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:9/\"}}");
                api.add("{\"concurrency_key\":\"ops-free-" + i + "\",\"delay\":3600,\"command\":{\"type\":\"http\","
                        + "\"url\":\"http://127.0.0.1:9/\"}}");
            }
            String metrics = "";
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
            while (!metrics.matches("(?s).*queue_key_waiting\\{[^}]*key=\"ops-key\"[^}]*\\} 3(\\.0)?\\b.*")
                    && System.nanoTime() < deadline) {
                Api.sleep(500);
                metrics = api.get("/metrics?scope=application").body();
            }
            assertTrue(metrics.matches("(?s).*queue_key_waiting\\{[^}]*key=\"ops-key\"[^}]*\\} 3(\\.0)?\\b.*"), metrics);
            assertTrue(metrics.contains("queue_limited_keys"), metrics);
            assertTrue(!metrics.contains("ops-free-"), "keys without a rule are not labelled");
        } finally {
            api.send(java.net.http.HttpRequest.newBuilder(api.uri("/limits/ops-key")).DELETE());
        }
    }
}
