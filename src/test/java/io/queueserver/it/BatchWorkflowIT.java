package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batches with callbacks, workflows with dependencies and results passed on (README "Batches", "Workflows"). */
class BatchWorkflowIT extends DeployedServerTest {

    private String http(String path) {
        return "{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}";
    }

    private String job(String path) {
        return "{\"context\":\"bw\",\"command\":" + http(path) + "}";
    }

    private JsonObject awaitBatch(String route, long id, java.util.function.Predicate<JsonObject> until) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonObject b = null;
        while (System.nanoTime() < deadline) {
            b = api.get(route + id).object();
            if (until.test(b)) {
                return b;
            }
            Api.sleep(100);
        }
        throw new AssertionError("batch " + id + " did not get there: " + b);
    }

    private static int count(JsonObject batch, String state) {
        return batch.getJsonObject("states").getInt(state, 0);
    }

    @Test
    void aBatchCallsBackOnceWhenAllSucceedAndOnceWhenComplete() {
        String jobs = String.join(",", Collections.nCopies(20, job("/bw-job")));
        Api.Answer created = api.postJson("/batches", "{\"jobs\":[" + jobs + "],\"on_success\":" + http("/bw-success")
                + ",\"on_complete\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\""
                + target.url("/bw-complete?batch=__BATCHID__") + "\"},\"on_failure\":"
                + http("/bw-failure") + "}");
        assertEquals(201, created.status(), created.body());
        long id = created.object().getJsonNumber("id").longValue();
        assertEquals(20, created.object().getJsonArray("jobs").size());
        target.awaitHit("/bw-complete", 30_000);
        target.awaitHit("/bw-success", 30_000);
        JsonObject batch = awaitBatch("/batches/", id, b -> b.getJsonArray("callbacks").stream()
                .allMatch(c -> c.asJsonObject().getString("state").equals("delivered")));
        assertEquals(20, count(batch, "done"));
        assertEquals(100.0, batch.getJsonNumber("progress").doubleValue());
        Api.sleep(1500);
        assertEquals(1, target.hits("/bw-complete").size(), "on_complete exactly once");
        assertEquals(1, target.hits("/bw-success").size(), "on_success exactly once");
        assertEquals(0, target.hits("/bw-failure").size());
        RecordingTarget.Hit complete = target.hits("/bw-complete").get(0);
        assertEquals("batch=" + id, complete.query());
        assertTrue(complete.body().contains("\"event\":\"complete\"") && complete.body().contains("\"done\":20"),
                complete.body());
    }

    @Test
    void aFailureCallsOnFailureOnceAndTheBatchCompletesWithoutSuccess() {
        target.scripts.put("/bw-404", n -> RecordingTarget.Scripted.of(404));
        List<String> jobs = new ArrayList<>(Collections.nCopies(3, job("/bw-ok")));
        jobs.add(job("/bw-404"));
        jobs.add(job("/bw-404"));
        long id = api.postJson("/batches", "{\"jobs\":[" + String.join(",", jobs) + "],\"on_success\":"
                + http("/bwf-success") + ",\"on_complete\":" + http("/bwf-complete") + ",\"on_failure\":"
                + http("/bwf-failure") + "}").object().getJsonNumber("id").longValue();
        target.awaitHit("/bwf-complete", 30_000);
        Api.sleep(1500);
        assertEquals(1, target.hits("/bwf-failure").size(), "on_failure at the first failure only");
        assertEquals(1, target.hits("/bwf-complete").size());
        assertEquals(0, target.hits("/bwf-success").size(), "two jobs failed: no success");
        JsonObject batch = api.get("/batches/" + id).object();
        assertEquals(3, count(batch, "done"));
        assertEquals(2, count(batch, "failed"));
    }

    @Test
    void anOpenBatchCompletesOnlyOnceClosed() {
        Api.Answer created = api.postJson("/batches", "{\"open\":true,\"jobs\":[" + job("/bwo-1") + "],"
                + "\"on_complete\":" + http("/bwo-complete") + "}");
        long id = created.object().getJsonNumber("id").longValue();
        target.awaitHit("/bwo-1", 20_000);
        awaitBatch("/batches/", id, b -> count(b, "done") == 1);
        Api.Answer added = api.postJson("/batches/" + id + "/jobs", "{\"jobs\":[" + job("/bwo-2") + "]}");
        assertEquals(201, added.status(), added.body());
        awaitBatch("/batches/", id, b -> count(b, "done") == 2);
        Api.sleep(1500);
        assertEquals(0, target.hits("/bwo-complete").size(), "every job ended, but the batch is open");
        Api.Answer closed = api.post("/batches/" + id + "/close", null, "");
        assertEquals(200, closed.status(), closed.body());
        target.awaitHit("/bwo-complete", 20_000);
        assertEquals(409, api.postJson("/batches/" + id + "/jobs", "{\"jobs\":[" + job("/bwo-3") + "]}").status(),
                "a closed batch takes no more jobs");
        Api.sleep(1000);
        assertEquals(1, target.hits("/bwo-complete").size());
    }

    /** a -> (b, c) -> d, each passing on what its parent answered. */
    @Test
    void aDiamondRunsInOrderAndPassesOutputs() {
        String body = "{\"context\":\"bw\",\"jobs\":["
                + "{\"name\":\"a\",\"command\":" + http("/wf-a") + "},"
                + "{\"name\":\"b\",\"depends_on\":[\"a\"],\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/wf-b") + "?from=__PARENT_OUTPUT__{a/path}\"}},"
                + "{\"name\":\"c\",\"depends_on\":[\"a\"],\"command\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\""
                + target.url("/wf-c") + "\",\"json\":{\"whole\":\"__PARENT_OUTPUT__{a}\"}}},"
                + "{\"name\":\"d\",\"depends_on\":[\"b\",\"c\"],\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/wf-d") + "?b=__PARENT_OUTPUT__{b/path}&c=__PARENT_OUTPUT__{c/ok}\"}}],"
                + "\"on_complete\":" + http("/wf-complete") + "}";
        Api.Answer created = api.postJson("/workflows", body);
        assertEquals(201, created.status(), created.body());
        JsonObject ids = created.object().getJsonObject("jobs");
        long id = created.object().getJsonNumber("id").longValue();
        target.awaitHit("/wf-complete", 30_000);
        RecordingTarget.Hit a = target.hits("/wf-a").get(0);
        RecordingTarget.Hit b = target.hits("/wf-b").get(0);
        RecordingTarget.Hit c = target.hits("/wf-c").get(0);
        RecordingTarget.Hit d = target.hits("/wf-d").get(0);
        assertTrue(a.nanos() < b.nanos() && a.nanos() < c.nanos() && b.nanos() < d.nanos() && c.nanos() < d.nanos(),
                "ran in dependency order");
        assertEquals("from=%2Fwf-a", b.query(), "a value in a url is URL-encoded");
        assertTrue(c.body().contains("{\\\"ok\\\":true,\\\"path\\\":\\\"/wf-a\\\"}"), c.body());
        assertEquals("b=%2Fwf-b&c=true", d.query());
        JsonObject workflow = api.get("/workflows/" + id).object();
        assertEquals(4, count(workflow, "done"));
        assertEquals(4, workflow.getJsonObject("graph").getJsonArray("nodes").size());
        assertEquals(4, workflow.getJsonObject("graph").getJsonArray("edges").size());
        assertEquals("done", api.job(ids.getJsonNumber("d").longValue()).getString("state"));
    }

    @Test
    void aFailedDependencyFailsSkipsOrLetsItsChildrenRun() {
        target.scripts.put("/wf-p", n -> RecordingTarget.Scripted.of(404));
        String body = "{\"context\":\"bw\",\"jobs\":["
                + "{\"name\":\"p\",\"command\":" + http("/wf-p") + "},"
                + "{\"name\":\"f\",\"depends_on\":[\"p\"],\"command\":" + http("/wf-f") + "},"
                + "{\"name\":\"g\",\"depends_on\":[\"f\"],\"command\":" + http("/wf-g") + "},"
                + "{\"name\":\"s\",\"depends_on\":[{\"job\":\"p\",\"on_failure\":\"skip\"}],\"command\":" + http("/wf-s") + "},"
                + "{\"name\":\"k\",\"depends_on\":[{\"job\":\"p\",\"on_failure\":\"continue\"}],\"command\":"
                + http("/wf-k") + "}]}";
        JsonObject ids = api.postJson("/workflows", body).object().getJsonObject("jobs");
        JsonObject k = api.awaitFinal(ids.getJsonNumber("k").longValue());
        assertEquals("done", k.getString("state"), "continue: runs anyway");
        JsonObject f = api.awaitFinal(ids.getJsonNumber("f").longValue());
        assertEquals("failed", f.getString("state"));
        assertEquals("dependency p failed", f.getString("error"));
        JsonObject g = api.awaitFinal(ids.getJsonNumber("g").longValue());
        assertEquals("dependency f failed", g.getString("error"), "the failure runs down the graph");
        JsonObject s = api.awaitJob(ids.getJsonNumber("s").longValue(), j -> j.getString("state").equals("cancelled"),
                Duration.ofSeconds(20));
        assertTrue(s.getString("error").startsWith("skipped"), s.getString("error"));
        assertEquals(0, target.hits("/wf-f").size() + target.hits("/wf-g").size() + target.hits("/wf-s").size());
    }

    @Test
    void aJobMayDependOnExistingJobsAndAWorkflowCanBeCancelled() throws Exception {
        long parent = api.add(job("/wf-parent?hold_ms=1500"));
        Api.Answer child = api.postJson("/jobs", "{\"context\":\"bw\",\"depends_on\":[" + parent + "],\"command\":"
                + http("/wf-child") + "}");
        assertEquals(201, child.status(), child.body());
        assertEquals("blocked", child.object().getString("state"));
        api.awaitFinal(child.object().getJsonNumber("id").longValue());
        assertTrue(target.hits("/wf-parent").get(0).nanos() < target.hits("/wf-child").get(0).nanos());
        Api.Answer late = api.postJson("/jobs", "{\"context\":\"bw\",\"depends_on\":[" + parent + "],\"command\":"
                + http("/wf-late") + "}");
        assertEquals("done", api.awaitFinal(late.object().getJsonNumber("id").longValue()).getString("state"),
                "its parent had already ended: it runs at once");

        Api.Answer created = api.postJson("/workflows", "{\"context\":\"bw\",\"jobs\":[{\"name\":\"x\",\"command\":"
                + http("/wf-x?hold_ms=3000") + "},{\"name\":\"y\",\"depends_on\":[\"x\"],\"command\":" + http("/wf-y")
                + "}]}");
        long id = created.object().getJsonNumber("id").longValue();
        target.awaitHit("/wf-x", 20_000);
        double cancelledBefore = api.metric("queue_jobs_finished_total", "outcome=\"cancelled\"");
        Api.Answer cancelled = api.post("/workflows/" + id + "/cancel", null, "");
        assertEquals(1, cancelled.object().getInt("cancelled"), cancelled.body());
        assertEquals(cancelledBefore + 1, api.metric("queue_jobs_finished_total", "outcome=\"cancelled\""),
                "the cancelled job's end is an event like a single cancel's: counted, streamed, its waiters answered");
        assertEquals("cancelled", api.job(created.object().getJsonObject("jobs").getJsonNumber("y").longValue())
                .getString("state"));
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }

    @Test
    void aThousandJobWorkflowIsOneRequest() {
        StringBuilder body = new StringBuilder("{\"context\":\"bw\",\"jobs\":[{\"name\":\"root\",\"command\":"
                + http("/wf-root") + "}");
        for (int i = 0; i < 999; i++) {
            body.append(",{\"name\":\"n").append(i).append("\",\"depends_on\":[\"root\"],\"command\":")
                    .append(http("/wf-leaf")).append('}');
        }
        body.append("],\"on_complete\":").append(http("/wf-big-complete")).append('}');
        long start = System.nanoTime();
        Api.Answer created = api.postJson("/workflows", body.toString());
        System.out.printf("a 1,000-job workflow was submitted in %.0f ms%n", (System.nanoTime() - start) / 1e6);
        assertEquals(201, created.status(), created.body());
        assertEquals(1000, created.object().getJsonObject("jobs").size());
        target.awaitHit("/wf-big-complete", 120_000);
        assertEquals(999, target.hits("/wf-leaf").size());
    }

    @Test
    void badGraphsAreNamedAndNothingIsStored() throws Exception {
        long before = jobsOfContext("bw-bad");
        Map<String, String> bad = Map.of(
                "{\"context\":\"bw-bad\",\"jobs\":[{\"name\":\"a\",\"depends_on\":[\"b\"],\"command\":" + http("/x")
                        + "},{\"name\":\"b\",\"depends_on\":[\"a\"],\"command\":" + http("/x") + "}]}", "jobs[0].depends_on",
                "{\"context\":\"bw-bad\",\"jobs\":[{\"name\":\"a\",\"command\":" + http("/x") + "},{\"name\":\"b\","
                        + "\"depends_on\":[\"zz\"],\"command\":" + http("/x") + "}]}", "jobs[1].depends_on[0]",
                "{\"context\":\"bw-bad\",\"jobs\":[{\"name\":\"a\",\"command\":{\"type\":\"http\",\"url\":\""
                        + target.url("/x?v=__PARENT_OUTPUT__{q}") + "\"}}]}", "jobs[0].command",
                "{\"context\":\"bw-bad\",\"jobs\":[{\"command\":" + http("/x") + "}]}", "jobs[0].name",
                "{\"context\":\"bw-bad\",\"jobs\":[{\"name\":\"a\",\"depends_on\":[{\"job\":\"a\",\"on_failure\":"
                        + "\"maybe\"}],\"command\":" + http("/x") + "}]}", "jobs[0].depends_on[0].on_failure");
        for (var e : bad.entrySet()) {
            Api.Answer a = api.postJson("/workflows", e.getKey());
            assertEquals(400, a.status(), a.body());
            assertEquals(e.getValue(), a.object().getString("field"), a.body());
        }
        Api.Answer missing = api.postJson("/jobs", "{\"context\":\"bw-bad\",\"depends_on\":[987654321],\"command\":"
                + http("/x") + "}");
        assertEquals(400, missing.status(), missing.body());
        assertEquals("depends_on", missing.object().getString("field"));
        assertEquals("jobs", api.postJson("/batches", "{\"jobs\":[]}").object().getString("field"));
        assertEquals(before, jobsOfContext("bw-bad"));
    }

    private static long jobsOfContext(String context) throws Exception {
        return number("SELECT COUNT(*) FROM queue_job WHERE context = ?", context);
    }
}
