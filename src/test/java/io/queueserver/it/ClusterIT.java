package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Payara Micro nodes on one MariaDB database run a batch of 10,000 HTTP jobs; one node is killed with SIGKILL
 * mid-run. Every job must end done, none lost, every job ran at least once, only the jobs the killed node was running
 * may have run twice, and the batch's on_complete and on_success are each delivered exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("cluster-test-secret".getBytes());
    static final int JOBS = 10_000;
    static ScratchDatabase database;
    static ClusterNodes cluster;
    static RecordingTarget target;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("cluster");
        target = new RecordingTarget();
        cluster = new ClusterNodes(database.url(), Map.of("QUEUE_LEASE_SECONDS", "15", "QUEUE_MAX_THREADS", "16",
                "QUEUE_CALLBACK_SECRET", SECRET, "QUEUE_BACKOFF_BASE_MS", "200"));
        cluster.startAll(3);
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(cluster, target);
    }

    static Connection db() throws Exception {
        return database.connect();
    }

    /** A job event on one node reaches a dashboard stream connected to another node. */
    @Test
    @Order(0)
    void eventsReachStreamsOnOtherNodes() throws Exception {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder() // as a browser streams over plain HTTP
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        var stream = client.sendAsync(java.net.http.HttpRequest.newBuilder(
                        cluster.nodes.get(1).base().resolve("/jobs/events")).header("Accept", "text/event-stream").build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines())
                .thenAccept(r -> r.body().forEach(lines::add));
        try {
            Api.sleep(1000);
            long id = new Api(new URL(cluster.nodes.get(0).base().toString()))
                    .add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fan-out") + "\"}}");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
                String line = lines.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                seen = line != null && line.contains("\"id\":" + id) && line.contains("\"submitted\"");
            }
            assertTrue(seen, "node 1's stream saw job " + id + " submitted on node 0");
        } finally {
            stream.cancel(true);
        }
    }

    /** A job cancelled through another node's API: the node running it aborts its request at once and frees the slot. */
    @Test
    @Order(1)
    void aCancelOnAnotherNodeAbortsTheRunningRequest() throws Exception {
        Api api = new Api(new URL(cluster.nodes.get(0).base().toString()));
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/trickle?ms=60000&cancel=__JOBID__")
                + "\",\"timeout\":120}}");
        String owner = api.awaitJob(id, j -> j.getString("state").equals("working"), Duration.ofSeconds(30))
                .getString("owner");
        ClusterNodes.Node runner = cluster.runnerOf(owner);
        ClusterNodes.Node other = cluster.nodes.stream().filter(n -> n != runner).findFirst().orElseThrow();
        target.awaitHit("/trickle", 30_000);
        Api runnerApi = new Api(new URL(runner.base().toString()));
        assertEquals(1.0, runnerApi.metric("queue_jobs_running"), "the job holds a slot of its node");

        long cancelledAt = System.nanoTime();
        Api.Answer cancel = new Api(new URL(other.base().toString())).postJson("/jobs/" + id + "/cancel", "");
        assertEquals(200, cancel.status(), cancel.body());
        long deadline = cancelledAt + Duration.ofSeconds(10).toNanos();
        while (target.aborted.isEmpty() && System.nanoTime() < deadline) {
            Api.sleep(20);
        }
        assertEquals(List.of("ms=60000&cancel=" + id), target.aborted.stream().map(RecordingTarget.Hit::query).toList(),
                "the target saw its request closed within 10 s of the cancel, not after its 60 s");

        JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("cancelled"), Duration.ofSeconds(10));
        assertEquals("cancelled", job.getString("error"), job.toString());
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (runnerApi.metric("queue_jobs_running") > 0 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        assertEquals(0.0, runnerApi.metric("queue_jobs_running"), "the aborted attempt freed its slot");
        assertEquals("cancelled", api.job(id).getString("state"), "the aborted attempt's result changed nothing");
    }

    @Test
    @Order(2)
    void nothingIsLostWhenANodeIsKilled() throws Exception {
        Api api = new Api(new URL(cluster.nodes.get(0).base().toString()));
        String job = "{\"context\":\"kill-test\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=20&id=__JOBID__") + "\"}}";
        Api.Answer opened = api.postJson("/batches", "{\"open\":true,\"jobs\":[],\"on_complete\":{\"type\":\"http\","
                + "\"method\":\"POST\",\"url\":\"" + target.url("/kill-complete") + "\"},\"on_success\":{\"type\":\"http\","
                + "\"url\":\"" + target.url("/kill-success") + "\"}}");
        assertEquals(201, opened.status(), opened.body());
        long batchId = opened.object().getJsonNumber("id").longValue();
        for (int batch = 0; batch < JOBS / 1000; batch++) {
            String jobs = String.join(",", java.util.Collections.nCopies(1000, job));
            Api.Answer a = api.postJson("/batches/" + batchId + "/jobs", "{\"jobs\":[" + jobs + "]}");
            assertEquals(201, a.status(), a.body());
        }
        assertEquals(200, api.post("/batches/" + batchId + "/close", null, "").status());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (target.hits("/hold").size() < JOBS / 3 && System.nanoTime() < deadline) {
            Api.sleep(20);
        }
        ClusterNodes.Node victim = cluster.nodes.get(1);
        long pid = victim.process().pid();
        victim.process().destroyForcibly().waitFor();
        Set<Long> runningOnVictim = new HashSet<>();
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM queue_job WHERE state = 1 AND owner LIKE '%:" + pid + ":%'")) {
            while (rs.next()) {
                runningOnVictim.add(rs.getLong(1));
            }
        }

        Map<Integer, Long> states = Map.of();
        deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        while (System.nanoTime() < deadline) {
            states = states();
            if (states.getOrDefault(3, 0L) + states.getOrDefault(99, 0L) == JOBS) {
                break;
            }
            Api.sleep(500);
        }
        assertEquals(Map.of(3, (long) JOBS), states, "every job done, none lost; failures: " + errors());
        target.awaitHit("/kill-complete", 30_000);
        target.awaitHit("/kill-success", 30_000);
        Api.sleep(2000);
        assertEquals(1, target.hits("/kill-complete").size(), "on_complete exactly once");
        assertEquals(1, target.hits("/kill-success").size(), "on_success exactly once");
        assertTrue(target.hits("/kill-complete").get(0).body().contains("\"done\":" + JOBS));

        Map<Long, Integer> runs = new HashMap<>();
        for (RecordingTarget.Hit hit : target.hits("/hold")) {
            runs.merge(Long.parseLong(hit.query().replaceAll(".*id=(\\d+).*", "$1")), 1, Integer::sum);
        }
        assertEquals(JOBS, runs.size(), "every job ran at least once");
        Set<Long> twice = runs.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertTrue(runningOnVictim.containsAll(twice),
                "only jobs the killed node was running ran twice: " + twice + " vs " + runningOnVictim);

        // a job done at its first attempt has no history row: its row names the node that ran it
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT owner) FROM queue_job WHERE state = 3")) {
            rs.next();
            assertEquals(3, rs.getInt(1), "all three nodes ran jobs");
        }
        if (!runningOnVictim.isEmpty()) {
            try (Connection c = db(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM queue_attempt WHERE outcome = 'rescued'")) {
                rs.next();
                assertEquals(runningOnVictim.size(), rs.getInt(1), "the killed node's jobs were rescued");
            }
        }
    }

    /** A node paused past its lease loses the job to another node; its late completion changes nothing. */
    @Test
    @Order(3)
    void aPausedNodesLateCompletionIsFenced() throws Exception {
        List<ClusterNodes.Node> alive = cluster.nodes.stream().filter(n -> n.process().isAlive()).toList();
        Api api = new Api(new URL(alive.get(0).base().toString()));
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=4000&fence=__JOBID__")
                + "\",\"timeout\":120}}");
        JsonObject running = api.awaitJob(id, j -> j.getString("state").equals("working"), Duration.ofSeconds(30));
        String owner = running.getString("owner");
        ClusterNodes.Node paused = cluster.runnerOf(owner);
        ClusterNodes.Node other = alive.stream().filter(n -> n != paused).findFirst().orElseThrow();
        api = new Api(new URL(other.base().toString()));
        signal("STOP", paused.process().pid());
        try {
            JsonObject taken = api.awaitJob(id, j -> j.getInt("attempt") == 2 && j.getString("state").equals("working"),
                    Duration.ofSeconds(60));
            assertTrue(!taken.getString("owner").equals(owner), taken.toString());
        } catch (AssertionError e) {
            new ProcessBuilder("jstack", Long.toString(other.process().pid()))
                    .redirectOutput(new java.io.File("target/jstack-other.txt")).start().waitFor();
            throw e;
        } finally {
            signal("CONT", paused.process().pid());
        }
        JsonObject done = api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(60));
        Api.sleep(3000); // the resumed node's late result, if it were accepted, would land now
        JsonObject after = api.job(id);
        assertEquals(2, after.getInt("attempt"), after.toString());
        List<String> outcomes = after.getJsonArray("attempts").stream()
                .map(a -> a.asJsonObject().getString("outcome")).toList();
        assertEquals(List.of("rescued", "done"), outcomes, after.toString());
        assertEquals(done.getString("finished_at"), after.getString("finished_at"), "not overwritten");
    }

    /** Callbacks are retried until delivered, keep their webhook-id and carry a verifiable Standard Webhooks signature. */
    @Test
    @Order(4)
    void callbacksAreRedeliveredAndSigned() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        target.hooks.put("/flaky-callback", hit -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("refuse the first two deliveries");
            }
        });
        List<ClusterNodes.Node> alive = cluster.nodes.stream().filter(n -> n.process().isAlive()).toList();
        Api api = new Api(new URL(alive.get(0).base().toString()));
        long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/cb-job") + "\"},"
                + "\"callback_done\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/flaky-callback?id=__JOBID__") + "\"}}");
        api.awaitFinal(id);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (target.hits("/flaky-callback").size() < 3 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        List<RecordingTarget.Hit> deliveries = target.hits("/flaky-callback");
        assertEquals(3, deliveries.size(), "two refused deliveries and one accepted");
        String webhookId = deliveries.get(0).header("webhook-id");
        for (RecordingTarget.Hit d : deliveries) {
            assertEquals(webhookId, d.header("webhook-id"), "the same webhook-id on every retry");
            String expected = "v1," + Base64.getEncoder().encodeToString(hmac(
                    Base64.getDecoder().decode(SECRET.substring("whsec_".length())),
                    d.header("webhook-id") + "." + d.header("webhook-timestamp") + "." + d.body()));
            assertEquals(expected, d.header("webhook-signature"));
        }
        JsonObject job = api.awaitJob(id, j -> j.getJsonArray("callbacks").getJsonObject(0).getString("state").equals("delivered"),
                Duration.ofSeconds(10));
        assertEquals(3, job.getJsonArray("callbacks").getJsonObject(0).getInt("attempts"));

        // a callback's own JSON or body is what it sends, so that is what its signature covers
        long own = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/cb-job") + "\"},"
                + "\"callback_done\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/own-json")
                + "\",\"json\":{\"job\":\"__JOBID__\",\"text\":\"grüße\"}},"
                + "\"callback_failed\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/own-body")
                + "\",\"body\":\"never sent\"}}");
        long ownBody = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/cb-job") + "\"},"
                + "\"callback_done\":{\"type\":\"http\",\"method\":\"PUT\",\"url\":\"" + target.url("/own-body")
                + "\",\"body\":\"done: __JOBID__\"}}");
        api.awaitFinal(own);
        api.awaitFinal(ownBody);
        for (String path : List.of("/own-json", "/own-body")) {
            RecordingTarget.Hit d = target.awaitHit(path, 30_000);
            assertTrue(!d.body().isEmpty(), path + " sent its own body");
            String expected = "v1," + Base64.getEncoder().encodeToString(hmac(
                    Base64.getDecoder().decode(SECRET.substring("whsec_".length())),
                    d.header("webhook-id") + "." + d.header("webhook-timestamp") + "." + d.body()));
            assertEquals(expected, d.header("webhook-signature"), path + " signed over " + d.body());
        }
        assertEquals("done: " + ownBody, target.awaitHit("/own-body", 1000).body());
    }

    /** A node stopped with SIGTERM hands its unfinished jobs back at once; another node runs them, no rescue needed. */
    @Test
    @Order(5)
    void aStoppingNodeHandsItsJobsBack() throws Exception {
        List<ClusterNodes.Node> alive = cluster.nodes.stream().filter(n -> n.process().isAlive()).toList();
        ClusterNodes.Node stopping = alive.get(0);
        Api local = new Api(new URL(stopping.base().toString())); // its own submits wake it first: it takes them
        Api api = new Api(new URL(alive.get(1).base().toString()));
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(local.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=15000&handback=__JOBID__")
                    + "\",\"timeout\":120}}"));
        }
        long pid = stopping.process().pid();
        List<Long> onStopping = new java.util.ArrayList<>();
        for (long id : ids) {
            JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("working"), Duration.ofSeconds(30));
            if (job.getString("owner").contains(":" + pid + ":")) {
                onStopping.add(id);
            }
        }
        assertTrue(!onStopping.isEmpty(), "some jobs run on the node that stops");
        stopping.process().destroy(); // SIGTERM: graceful stop (grace 10 s), then hand back
        for (long id : onStopping) {
            JsonObject moved = api.awaitJob(id, j -> j.getString("state").equals("working")
                    && !j.getString("owner").contains(":" + pid + ":"), Duration.ofSeconds(40));
            assertEquals(0, moved.getInt("rescues"), "handed back, not rescued after its lease: " + moved);
        }
        for (long id : ids) {
            JsonObject done = api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(60));
            assertEquals(List.of("done"), done.getJsonArray("attempts").stream()
                    .map(a -> a.asJsonObject().getString("outcome")).toList(), done.toString());
        }
        try (Connection c = db()) {
            StateCountCheck.assertCountsAgree(c); // after kills, fencing, hand-backs and rescues
        }
    }

    private static byte[] hmac(byte[] key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    private static List<String> errors() throws Exception {
        List<String> errors = new java.util.ArrayList<>();
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, error FROM queue_job WHERE state = 99 LIMIT 20")) {
            while (rs.next()) {
                errors.add(rs.getLong(1) + ": " + rs.getString(2));
            }
        }
        return errors;
    }

    private static Map<Integer, Long> states() throws Exception {
        Map<Integer, Long> states = new HashMap<>();
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM queue_job WHERE context = 'kill-test' GROUP BY state")) {
            while (rs.next()) {
                states.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return states;
    }
}
