package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cancel, retry, retries with backoff, scheduling, progress and run-now, on Payara Micro + MariaDB. */
class JobLifecycleIT extends DeployedServerTest {

    private String http(String path) {
        return "{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}";
    }

    @Test
    void cancelWaitingAndRunningJobs() {
        long scheduled = api.add("{\"delay\":3600,\"command\":" + http("/never-cancelled") + "}");
        assertEquals("scheduled", api.job(scheduled).getString("state"));
        assertEquals(0, api.get("/jobs/status/" + scheduled).data().getInt("worker_status"), "scheduled is waiting for old clients");
        Api.Answer cancelled = api.postJson("/jobs/" + scheduled + "/cancel", "");
        assertEquals(200, cancelled.status(), cancelled.body());
        assertEquals("cancelled", cancelled.object().getString("state"));
        assertEquals(4, api.get("/jobs/status/" + scheduled).data().getInt("worker_status"));

        long running = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/block?who=cancel") + "\",\"timeout\":60}}");
        api.awaitJob(running, j -> j.getString("state").equals("working"), Duration.ofSeconds(10));
        target.awaitHit("/block", 5_000);
        assertEquals(200, api.postJson("/jobs/" + running + "/cancel", "").status());
        JsonObject job = api.awaitJob(running, j -> j.getString("state").equals("cancelled"), Duration.ofSeconds(5));
        Api.sleep(500);
        assertEquals("cancelled", api.job(running).getString("state"), "the aborted attempt does not overwrite: " + job);
        JsonArray attempts = api.job(running).getJsonArray("attempts");
        assertEquals("cancelled", attempts.getJsonObject(0).getString("outcome"));

        Api.Answer again = api.postJson("/jobs/" + running + "/cancel", "");
        assertEquals(409, again.status());
        assertEquals(404, api.postJson("/jobs/999999999/cancel", "").status());
        target.gate.release(1);
    }

    @Test
    void retriesWithBackoffThenManualRetry() {
        long id = api.add("{\"max_attempts\":2,\"command\":" + http("/fail") + "}");
        JsonObject failed = api.awaitJob(id, j -> j.getString("state").equals("failed"), Duration.ofSeconds(20));
        JsonArray attempts = failed.getJsonArray("attempts");
        assertEquals(2, attempts.size(), failed.toString());
        assertEquals("retry", attempts.getJsonObject(0).getString("outcome"));
        assertEquals("failed", attempts.getJsonObject(1).getString("outcome"));
        assertEquals(500, attempts.getJsonObject(1).getInt("return_code"));
        assertEquals(2, failed.getInt("attempt"));
        // the first retry waits between half and all of QUEUE_BACKOFF_BASE_MS (1 s), then the next tick claims it
        long waitedMillis = Duration.between(Instant.parse(attempts.getJsonObject(0).getString("finished_at")),
                Instant.parse(attempts.getJsonObject(1).getString("started_at"))).toMillis();
        assertTrue(waitedMillis >= 500, "the retry waited its backoff: " + waitedMillis + " ms");
        assertTrue(waitedMillis < 10_000, "and not much longer: " + waitedMillis + " ms");

        Api.Answer retried = api.postJson("/jobs/" + id + "/retry", "");
        assertEquals(200, retried.status(), retried.body());
        JsonObject again = api.awaitJob(id, j -> j.getJsonArray("attempts").size() == 4
                && j.getString("state").equals("failed"), Duration.ofSeconds(20));
        assertEquals(4, again.getInt("attempt"), "a retried job gets max_attempts fresh attempts");
        assertEquals(409, api.postJson("/jobs/" + api.add("{\"delay\":3600,\"command\":" + http("/x") + "}") + "/retry", "").status());
    }

    @Test
    void delayedAndRunAtJobsStartOnTime() {
        Instant runAt = Instant.now().plusSeconds(2);
        long atTime = api.add("{\"run_at\":\"" + runAt + "\",\"command\":" + http("/at-time") + "}");
        long delayed = api.add("{\"delay\":1,\"command\":" + http("/delayed") + "}");
        JsonObject a = api.awaitFinal(atTime);
        JsonObject d = api.awaitFinal(delayed);
        Instant started = Instant.parse(a.getString("started_at"));
        assertTrue(!started.isBefore(runAt.minusMillis(5)), "not before its time: " + started + " vs " + runAt);
        assertTrue(started.isBefore(runAt.plusMillis(1500)), "within about a second of its time: " + started);
        Instant created = Instant.parse(d.getString("created_at"));
        Instant delayedStart = Instant.parse(d.getString("started_at"));
        assertTrue(Duration.between(created, delayedStart).toMillis() >= 1000, d.toString());
    }

    @Test
    void progressFromInsideARunningJob() {
        target.hooks.put("/report", hit -> {
            String id = hit.query().replaceAll(".*id=(\\d+).*", "$1");
            Api.Answer a = api.postJson("/jobs/" + id + "/progress", "{\"percent\":40,\"message\":\"40 of 100 mails\"}");
            if (a.status() != 200) {
                throw new IllegalStateException(a.body());
            }
            Api.sleep(1500);
        });
        long id = api.add("{\"command\":" + http("/report?id=__JOBID__") + "}");
        JsonObject job = api.awaitJob(id, j -> !j.isNull("progress"), Duration.ofSeconds(10));
        assertEquals(40, job.getJsonObject("progress").getInt("percent"));
        assertEquals("40 of 100 mails", job.getJsonObject("progress").getString("message"));
        assertEquals(40, api.get("/jobs/get/" + id).data().getJsonObject("progress").getInt("percent"));
        api.awaitFinal(id);
        Api.Answer late = api.postJson("/jobs/" + id + "/progress", "{\"percent\":50}");
        assertEquals(409, late.status(), "refused for jobs that are not running");
        assertEquals("percent", api.postJson("/jobs/" + id + "/progress", "{\"percent\":101}").object().getString("field"));
        assertEquals("percent", api.postJson("/jobs/" + id + "/progress", "{\"message\":\"x\"}").object().getString("field"));
    }

    @Test
    void runNowStreamsTheOutputAndRecordsTheRun() {
        long id = api.add("{\"delay\":3600,\"command\":" + http("/run-now") + "}");
        Api.Answer streamed = api.send(HttpRequest.newBuilder(api.uri("/jobs/" + id + "/run"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, streamed.status(), streamed.body());
        assertTrue(streamed.body().startsWith("{\"ok\":true,\"path\":\"/run-now\"}"), streamed.body());
        assertTrue(streamed.body().contains("[job " + id + " done, return_code 200]"), streamed.body());
        JsonObject job = api.job(id);
        assertEquals("done", job.getString("state"));
        assertEquals(1, job.getJsonArray("attempts").size());
        Api.Answer again = api.send(HttpRequest.newBuilder(api.uri("/jobs/" + id + "/run")).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(409, again.status(), "a done job is not run again");
    }

    @Test
    void retryAllFailedOfAContext() {
        String context = "bulk-retry-" + System.nanoTime();
        long a = api.add("{\"context\":\"" + context + "\",\"command\":" + http("/fail") + "}");
        long b = api.add("{\"context\":\"" + context + "\",\"command\":" + http("/fail") + "}");
        api.awaitFinal(a);
        api.awaitFinal(b);
        JsonObject answer = api.postJson("/jobs/retry?state=failed&context=" + context, "").object();
        assertEquals(2, answer.getInt("retried"));
        api.awaitJob(a, j -> j.getInt("attempt") == 2 && j.getString("state").equals("failed"), Duration.ofSeconds(10));
        assertEquals("state", api.postJson("/jobs/retry?state=done", "").object().getString("field"));
    }

    @Test
    void jobsEndingTogetherKeepEachTheirOwnResult() {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 60; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"command\":").append(http(i % 3 == 0 ? "/fail" : "/each-" + i))
                    .append("}");
        }
        Api.Answer created = api.postJson("/jobs", batch.append("]").toString());
        assertEquals(201, created.status(), created.body());
        JsonArray jobs = created.object().getJsonArray("jobs");
        for (int i = 0; i < jobs.size(); i++) {
            JsonObject job = api.awaitFinal(jobs.getJsonObject(i).getJsonNumber("id").longValue());
            if (i % 3 == 0) {
                assertEquals(99, job.getInt("worker_status"), job.toString());
                assertEquals(500, job.getInt("return_code"), job.toString());
                assertEquals("it broke", job.getString("output"), job.toString());
                assertEquals("HTTP status 500", job.getString("error"), job.toString());
            } else {
                assertEquals(3, job.getInt("worker_status"), job.toString());
                assertEquals(200, job.getInt("return_code"), job.toString());
                assertEquals("{\"ok\":true,\"path\":\"/each-" + i + "\"}", job.getString("output"), job.toString());
                assertTrue(job.isNull("error"), job.toString());
            }
        }
    }

    /** README "Reliability": a unique key stays bound to its job whatever its state, until the job is deleted. */
    @Test
    void aUniqueKeyStaysBoundUntilItsJobIsDeleted() {
        String failing = "{\"unique_key\":\"bound-failed\",\"command\":" + http("/fail") + "}";
        long failed = api.add(failing);
        assertEquals("failed", api.awaitFinal(failed).getString("state"));
        assertEquals(failed, api.add(failing), "a failed job keeps its key");

        String later = "{\"unique_key\":\"bound-cancelled\",\"delay\":3600,\"command\":" + http("/x") + "}";
        long cancelled = api.add(later);
        assertEquals(200, api.postJson("/jobs/" + cancelled + "/cancel", "").status());
        assertEquals(cancelled, api.add(later), "a cancelled job keeps its key");

        assertEquals(204, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + cancelled)).DELETE())
                .status());
        long again = api.add(later);
        assertTrue(again != cancelled, "once the job is deleted (or pruned), the key is free");
    }
}
