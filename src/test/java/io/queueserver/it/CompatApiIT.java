package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PHP original's API against a real Payara Micro on the real MariaDB, jobs calling a real local HTTP server. */
class CompatApiIT extends DeployedServerTest {
    static final int MAX_THREADS = Integer.parseInt(System.getenv().getOrDefault("QUEUE_MAX_THREADS", "4"));

    @Test
    void rootSaysItIsRunning() {
        JsonObject root = api.get("/").object();
        assertEquals("running", root.getString("status"));
        assertFalse(root.getString("version").isBlank());
    }

    @Test
    void theOriginalsFirstExampleRunsAndCallsBackAfterTheFinalCommit() {
        List<Integer> statusSeenByCallback = new CopyOnWriteArrayList<>();
        target.hooks.put("/cb-done", hit -> {
            Api.Answer status = api.get("/jobs/status/" + hit.query().replaceAll(".*id=(\\d+).*", "$1"));
            statusSeenByCallback.add(status.status() == 200 ? status.data().getInt("worker_status") : -status.status());
        });
        long id = api.add("""
                {
                "priority" : 800,
                "context" : "MyCoolApp",
                "command": {
                  "type": "http",
                  "url": "%s",
                  "method": "GET",
                  "timeout": 20,
                  "params": { "username": "michael" }
                },
                "callback_done": {
                  "type": "http",
                  "url": "%s",
                  "method": "GET"
                }
                }""".formatted(target.url("/hold?ms=200"), target.url("/cb-done?job=done&id=__JOBID__")));
        JsonObject job = api.awaitFinal(id);
        assertEquals(3, job.getInt("worker_status"), job.toString());
        assertEquals(200, job.getInt("return_code"));
        assertEquals("{\"ok\":true,\"path\":\"/hold\"}", job.getString("output"));
        RecordingTarget.Hit work = target.hits("/hold").stream().filter(h -> h.query().contains("username=michael"))
                .findFirst().orElseThrow();
        assertEquals("GET", work.method());
        RecordingTarget.Hit callback = target.awaitHit("/cb-done", 10_000);
        assertEquals("job=done&id=" + id, callback.query());
        assertEquals(3, statusSeenByCallback.get(0), "the callback saw the committed final state: " + statusSeenByCallback);
    }

    @Test
    void theOriginalsJobIdPlaceholderExample() {
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/get?jobid=__JOBID__") + "\"}}");
        assertEquals(3, api.awaitFinal(id).getInt("worker_status"));
        assertTrue(target.hits("/get").stream().anyMatch(h -> ("jobid=" + id).equals(h.query())));
    }

    @Test
    void aFailingJobIsFailedWithItsStatusAndStillCallsBackWithTheResult() {
        long id = api.add("{\"context\":\"failing\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fail")
                + "\"},\"callback_done\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\""
                + target.url("/cb-failed?id=__JOBID__&status=__STATUS__") + "\"}}");
        JsonObject job = api.awaitFinal(id);
        assertEquals(99, job.getInt("worker_status"));
        assertEquals(500, job.getInt("return_code"));
        assertEquals("it broke", job.getString("output"));
        RecordingTarget.Hit callback = target.awaitHit("/cb-failed", 10_000);
        assertEquals("id=" + id + "&status=failed", callback.query());
        JsonObject result = jakarta.json.Json.createReader(new java.io.StringReader(callback.body())).readObject();
        assertEquals(id, result.getJsonNumber("id").longValue());
        assertEquals("failed", result.getString("state"));
        assertEquals(99, result.getInt("worker_status"));
        assertEquals(500, result.getInt("return_code"));
        assertEquals("it broke", result.getString("output"));
        assertEquals("failing", result.getString("context"));
        assertNotNull(callback.header("webhook-id"));
    }

    @Test
    void statusHasTheOriginalsCounters() {
        JsonObject data = api.get("/jobs/status").data();
        for (String counter : List.of("all_jobs", "waiting", "working", "max_threads", "free_threads")) {
            assertTrue(data.containsKey(counter), counter);
            data.getInt(counter);
        }
        assertEquals(MAX_THREADS, data.getInt("max_threads"));
        assertEquals(200, api.get("/jobs/status").object().getInt("status"));
    }

    @Test
    void statusAndGetOfOneJob() {
        long id = api.add("{\"priority\":7,\"context\":\"one\",\"extra\":{\"kept\":true},\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/one") + "\"}}");
        api.awaitFinal(id);
        JsonObject status = api.get("/jobs/status/" + id).data();
        assertEquals(id, status.getJsonNumber("id").longValue());
        assertEquals(3, status.getInt("worker_status"));
        assertEquals(7, status.getInt("priority"));
        assertTrue(status.getString("time_added").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        assertTrue(status.getString("time_completed").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
        JsonObject whole = api.get("/jobs/get/" + id).data();
        assertTrue(whole.getJsonObject("job").getJsonObject("extra").getBoolean("kept"), "unknown fields are kept");
        assertEquals("one", whole.getJsonObject("job").getString("context"));
        assertEquals("{\"ok\":true,\"path\":\"/one\"}", whole.getString("output"));
        assertEquals(200, whole.getInt("return_code"));

        Api.Answer missing = api.get("/jobs/status/987654321");
        assertEquals(404, missing.status());
        assertEquals("{\"status\":404,\"data\":\"Job not found\"}", missing.body());
        assertEquals(404, api.get("/jobs/get/987654321").status());
    }

    @Test
    void listsByWordWithLimitsAndSummary() {
        long done = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/list") + "\"}}");
        long failed = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fail") + "\"}}");
        api.awaitFinal(done);
        api.awaitFinal(failed);
        JsonArray doneJobs = api.get("/jobs/get/done").object().getJsonArray("data");
        assertTrue(doneJobs.stream().anyMatch(j -> j.asJsonObject().getJsonNumber("id").longValue() == done));
        assertTrue(doneJobs.stream().allMatch(j -> j.asJsonObject().getInt("worker_status") == 3));
        JsonArray failedJobs = api.get("/jobs/get/failed").object().getJsonArray("data");
        assertTrue(failedJobs.stream().anyMatch(j -> j.asJsonObject().getJsonNumber("id").longValue() == failed));
        assertEquals(1, api.postJson("/jobs/get", "{\"id\":\"all\",\"limit\":1}").object().getJsonArray("data").size());
        assertEquals(0, api.get("/jobs/get/working").object().getJsonArray("data").stream()
                .filter(j -> j.asJsonObject().getJsonNumber("id").longValue() == done).count());
        assertEquals(done, api.postJson("/jobs/get", "{\"id\":" + done + "}").data().getJsonNumber("id").longValue());

        JsonObject summary = api.postJson("/jobs/get/summary", "{\"count\":2}").data();
        assertEquals(2, summary.getJsonArray("jobs").size());
        assertTrue(summary.getJsonObject("counts").getInt("done") >= 1);

        Api.Answer badWord = api.get("/jobs/get/everything");
        assertEquals(400, badWord.status());
        assertEquals("id", badWord.object().getString("field"));
        assertEquals("limit", api.postJson("/jobs/get", "{\"id\":\"all\",\"limit\":100000}").object().getString("field"));
    }

    /** The original read id, limit and count from the form body or the query string alike. */
    @Test
    void listParametersMayComeInTheQueryString() {
        for (int i = 0; i < 2; i++) {
            api.awaitFinal(api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/q" + i) + "\"}}"));
        }
        assertEquals(1, api.post("/jobs/get?id=all&limit=1", "application/x-www-form-urlencoded", "")
                .object().getJsonArray("data").size());
        assertEquals(1, api.post("/jobs/get/summary?count=1", "application/x-www-form-urlencoded", "")
                .data().getJsonArray("jobs").size());
        assertEquals(2, api.post("/jobs/get?limit=1", "application/x-www-form-urlencoded", "id=all&limit=2")
                .object().getJsonArray("data").size(), "the body wins over the query string");
    }

    /** Rows of the lists are whole jobs, as the original returned them: payload, worker, command, params, output. */
    @Test
    void listRowsCarryTheOriginalsRowFields() {
        long id = api.add("{\"context\":\"rows\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/row")
                + "\",\"params\":{\"a\":\"1\"}}}");
        api.awaitFinal(id);
        JsonObject row = api.get("/jobs/get/all").object().getJsonArray("data").stream().map(JsonValue::asJsonObject)
                .filter(j -> j.getJsonNumber("id").longValue() == id).findFirst().orElseThrow();
        assertEquals("rows", row.getJsonObject("job").getString("context"));
        assertEquals("http", row.getString("worker"));
        assertEquals(target.url("/row"), row.getJsonObject("command").getString("url"));
        assertEquals("1", row.getJsonObject("params").getString("a"));
        assertTrue(row.containsKey("output"), row.toString());
        assertTrue(row.getString("output").contains("/row"), row.toString());
    }

    @Test
    void deleteKeepsTheOriginalsAnswerAndRefusesCrossSiteBrowsers() {
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/del") + "\"}}");
        api.awaitFinal(id);
        Api.Answer crossSite = api.get("/jobs/delete/" + id, "Sec-Fetch-Site", "cross-site");
        assertEquals(403, crossSite.status());
        Api.Answer foreignOrigin = api.get("/jobs/delete/" + id, "Origin", "https://evil.example");
        assertEquals(403, foreignOrigin.status());
        assertEquals(200, api.get("/jobs/status/" + id).status(), "not deleted");

        JsonObject deleted = api.get("/jobs/delete/" + id).object();
        assertEquals("OK", deleted.getString("status"));
        assertEquals(id, deleted.getJsonNumber("job_id").longValue());
        assertEquals(404, api.get("/jobs/status/" + id).status());
        assertEquals("ERROR", api.get("/jobs/delete/" + id).object().getString("status"));
    }

    @Test
    void malformedJobsAreRefusedNamingTheFieldAndNothingIsStored() {
        int before = api.get("/jobs/status").data().getInt("all_jobs");
        int hitsBefore = target.hits.size();
        String url = target.url("/never");
        String[][] cases = {
                {"{\"command\":{\"type\":\"http\",\"url\":\"" + url + "\"", "body"},
                {"{}", "command"},
                {"{\"command\":{\"type\":\"teleport\"}}", "command.type"},
                {"{\"command\":{\"type\":\"http\"}}", "command.url"},
                {"{\"command\":{\"type\":\"http\",\"url\":\"gopher://x/\"}}", "command.url"},
                {"{\"priority\":\"urgent\",\"command\":{\"type\":\"http\",\"url\":\"" + url + "\"}}", "priority"},
                {"{\"command\":{\"type\":\"http\",\"url\":\"" + url + "\",\"method\":\"GET\\r\\nX: 1\"}}", "command.method"},
                {"{\"command\":{\"type\":\"http\",\"url\":\"" + url + "\",\"headers\":{\"X\":\"a\\r\\nb\"}}}", "command.headers.X"},
                {"{\"command\":{\"type\":\"http\",\"url\":\"" + url + "\"},\"callback_done\":{\"type\":\"http\"}}", "callback_done.url"},
        };
        for (String[] c : cases) {
            Api.Answer a = api.postJson("/jobs/add", c[0]);
            assertEquals(400, a.status(), c[0] + " -> " + a.body());
            assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
            assertEquals(c[1], a.object().getString("field"), c[0]);
        }
        Api.Answer tooBig = api.postJson("/jobs/add", "{\"context\":\"" + "x".repeat(300_000) + "\"}");
        assertEquals(413, tooBig.status());
        Api.Answer wrongType = api.post("/jobs/add", "text/plain", "{}");
        assertEquals(415, wrongType.status());
        assertEquals("Content-Type", wrongType.object().getString("field"));
        assertEquals(before, api.get("/jobs/status").data().getInt("all_jobs"), "nothing stored");
        Api.sleep(300);
        assertEquals(hitsBefore, target.hits.size(), "nothing ran");
        assertTrue(target.hits("/never").isEmpty());
    }

    @Test
    void formBodiesAsTheOriginalAcceptedThem() {
        Api.Answer a = api.post("/jobs/add", "application/x-www-form-urlencoded",
                "priority=600&command[type]=http&command[url]=" + java.net.URLEncoder.encode(target.url("/form"),
                        java.nio.charset.StandardCharsets.UTF_8) + "&command[params][a]=1");
        assertEquals(200, a.status(), a.body());
        long id = Long.parseLong(a.object().getString("job_id"));
        assertEquals(600, api.awaitFinal(id).getInt("priority"));
        assertEquals("a=1", target.awaitHit("/form", 5_000).query());
    }

    @Test
    void higherPriorityFirstFifoAmongEqualsAndMaxThreadsIsExact() {
        List<Long> blockers = new java.util.ArrayList<>();
        for (int i = 0; i < MAX_THREADS; i++) {
            blockers.add(api.add("{\"priority\":1000000,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/block") + "\"}}"));
        }
        for (long b : blockers) {
            api.awaitJob(b, j -> j.getString("state").equals("working"), Duration.ofSeconds(10));
        }
        List<Long> ordered = new java.util.ArrayList<>();
        for (String[] job : new String[][] {{"1", "low"}, {"5", "midA"}, {"9", "high"}, {"5", "midB"}}) {
            ordered.add(api.add("{\"priority\":" + job[0] + ",\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/order?n=" + job[1]) + "\"}}"));
        }
        Api.sleep(700);
        JsonObject status = api.get("/jobs/status").data();
        assertEquals(MAX_THREADS, status.getInt("working"), status.toString());
        assertEquals(0, status.getInt("free_threads"));
        assertEquals(4, status.getInt("waiting"));
        assertTrue(target.hits("/order").isEmpty(), "no slot was free");

        target.gate.release(1); // one slot frees: the waiting jobs now pass through it one by one
        ordered.forEach(api::awaitFinal);
        assertEquals(List.of("n=high", "n=midA", "n=midB", "n=low"),
                target.hits("/order").stream().map(RecordingTarget.Hit::query).toList());
        target.gate.release(MAX_THREADS);
        blockers.forEach(api::awaitFinal);

        target.maxConcurrent.set(0);
        // one batch, so that the jobs wait together whatever the speed of single submits on a busy machine
        String hold = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=150") + "\"}}";
        Api.Answer burstAnswer = api.postJson("/jobs", "[" + String.join(",", java.util.Collections.nCopies(MAX_THREADS * 3, hold)) + "]");
        assertEquals(201, burstAnswer.status(), burstAnswer.body());
        burstAnswer.object().getJsonArray("jobs").stream()
                .map(j -> j.asJsonObject().getJsonNumber("id").longValue()).forEach(api::awaitFinal);
        assertEquals(MAX_THREADS, target.maxConcurrent.get(), "never more than max_threads jobs at once");
    }

    @Test
    void restSubmitBatchAndIdempotency() {
        Api.Answer created = api.postJson("/jobs", "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/rest") + "\"}}");
        assertEquals(201, created.status(), created.body());
        String location = created.raw().headers().firstValue("Location").orElseThrow();
        long id = created.object().getJsonNumber("id").longValue();
        assertTrue(location.endsWith("/jobs/" + id), location);
        String createdAt = api.awaitFinal(id).getString("created_at");
        assertTrue(createdAt.matches(".*\\.\\d{6}Z"), "microseconds: " + createdAt);

        Api.Answer batch = api.postJson("/jobs", "[{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/b1")
                + "\"}},{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/b2") + "\"}}]");
        assertEquals(201, batch.status(), batch.body());
        assertEquals(2, batch.object().getJsonArray("jobs").size());
        Api.Answer badBatch = api.postJson("/jobs", "[{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/b3")
                + "\"}},{\"command\":{\"type\":\"http\"}}]");
        assertEquals(400, badBatch.status());
        assertEquals("[1].command.url", badBatch.object().getString("field"));

        String job = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/once") + "\"}}";
        String key = "concurrent-" + System.nanoTime();
        List<Long> concurrentIds = java.util.stream.IntStream.range(0, 12).parallel()
                .mapToObj(i -> api.postJson("/jobs/add", job, "Idempotency-Key", key))
                .map(a -> Long.parseLong(a.object().getString("job_id"))).distinct().toList();
        assertEquals(1, concurrentIds.size(), "concurrent duplicates get one job: " + concurrentIds);
        long first = Long.parseLong(api.postJson("/jobs/add", job, "Idempotency-Key", "order-17").object().getString("job_id"));
        long second = Long.parseLong(api.postJson("/jobs/add", job, "Idempotency-Key", "order-17").object().getString("job_id"));
        assertEquals(first, second);
    }
}
