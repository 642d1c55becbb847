package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waiting for a job's result (README "Waiting for a result"): {@code GET /jobs/{id}/wait} and {@code Prefer: wait} on
 * a submit, answered at the job's end whichever node runs it, or at the timeout; thousands of waiters without a thread
 * each; the configured bounds.
 */
class WaitIT extends DeployedServerTest {
    @AfterAll
    static void stopSecondNode() {
        SecondNode.close();
    }

    private String job(String path) {
        return "{\"context\":\"wait\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}}";
    }

    private static double since(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    @Test
    void aWaiterIsAnsweredWhenTheJobEndsOrAtItsTimeout() {
        long id = api.add(job("/wait-1?hold_ms=1000"));
        long start = System.nanoTime();
        Api.Answer done = waitOn(api, "/jobs/" + id + "/wait?timeout=20");
        double waited = since(start);
        assertEquals(200, done.status(), done.body());
        assertEquals("done", done.object().getString("state"));
        assertTrue(done.object().getString("output").contains("/wait-1"), "the answer holds the output");
        assertTrue(waited > 0.5 && waited < 10, "answered at the end, after " + waited + " s");

        long slow = api.add(job("/wait-2?hold_ms=4000"));
        start = System.nanoTime();
        Api.Answer pending = waitOn(api, "/jobs/" + slow + "/wait?timeout=1");
        waited = since(start);
        assertEquals(202, pending.status(), pending.body());
        assertTrue(List.of("waiting", "working").contains(pending.object().getString("state")), pending.body());
        assertTrue(waited >= 0.9 && waited < 5, "answered at its timeout, after " + waited + " s");

        Api.Answer ended = waitOn(api, "/jobs/" + id + "/wait?timeout=20");
        assertEquals(200, ended.status(), "a job that has already ended is answered at once");
    }

    @Test
    void preferWaitAnswersASubmitWithItsResult() {
        Api.Answer done = api.postJson("/jobs", job("/wait-prefer"), "Prefer", "wait=20");
        assertEquals(201, done.status(), done.body());
        assertEquals("done", done.object().getString("state"));
        assertTrue(done.object().getString("output").contains("/wait-prefer"));
        assertEquals("wait=20", done.raw().headers().firstValue("Preference-Applied").orElse(""));
        assertTrue(done.raw().headers().firstValue("Location").orElse("").endsWith("/jobs/"
                + done.object().getJsonNumber("id").longValue()));

        Api.Answer later = api.postJson("/jobs", job("/wait-prefer-slow?hold_ms=3000"), "Prefer",
                "respond-async, wait=1");
        assertEquals(202, later.status(), later.body());
        assertTrue(later.raw().headers().firstValue("Location").isPresent());
        long id = later.object().getJsonNumber("id").longValue();
        assertEquals("done", waitOn(api, "/jobs/" + id + "/wait?timeout=20").object().getString("state"));
    }

    @Test
    void badWaitsAreNamed() {
        long id = api.add(job("/wait-bad"));
        for (String timeout : List.of("-1", "abc", "100000")) {
            Api.Answer a = api.get("/jobs/" + id + "/wait?timeout=" + timeout);
            assertEquals(400, a.status(), a.body());
            assertEquals("timeout", a.object().getString("field"));
        }
        assertEquals(404, api.get("/jobs/987654321/wait?timeout=1").status());
        Api.Answer prefer = api.postJson("/jobs", job("/wait-bad"), "Prefer", "wait=soon");
        assertEquals(400, prefer.status(), prefer.body());
        assertEquals("Prefer", prefer.object().getString("field"));
    }

    /** Jobs submitted to a second node run there, mostly; their waiters on this node are answered all the same. */
    @Test
    void waitersOnOneNodeAreAnsweredForJobsThatRunOnAnotherAndTheirNumberIsBounded() throws Exception {
        ClusterNodes.Node node = SecondNode.node();
        Api other = SecondNode.api();
        String body = "[" + String.join(",", Collections.nCopies(20, job("/wait-elsewhere?hold_ms=300"))) + "]";
        List<Long> ids = new ArrayList<>();
        // scheduled a moment ahead, so that every waiter is waiting before any job ends
        Api.Answer batch = other.postJson("/jobs", body.replace("\"context\"", "\"delay\":2,\"context\""));
        assertEquals(201, batch.status(), batch.body());
        batch.object().getJsonArray("jobs").forEach(j -> ids.add(j.asJsonObject().getJsonNumber("id").longValue()));
        List<CompletableFuture<Api.Answer>> waits = ids.stream()
                .map(id -> CompletableFuture.supplyAsync(() -> waitOn(api, "/jobs/" + id + "/wait?timeout=25"))).toList();
        int elsewhere = 0;
        for (CompletableFuture<Api.Answer> w : waits) {
            Api.Answer a = w.get();
            assertEquals(200, a.status(), a.body());
            assertEquals("done", a.object().getString("state"));
            elsewhere += a.object().getString("owner").contains(":" + node.process().pid() + ":") ? 1 : 0;
        }
        assertTrue(elsewhere > 0, "some jobs ran on the other node");

        long parked = other.postJson("/jobs", job("/wait-parked").replace("\"context\"", "\"delay\":3600,\"context\""))
                .object().getJsonNumber("id").longValue();
        List<CompletableFuture<Api.Answer>> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(CompletableFuture.supplyAsync(() -> other.get("/jobs/" + parked + "/wait?timeout=3")));
        }
        Api.sleep(1000);
        Api.Answer refused = other.get("/jobs/" + parked + "/wait?timeout=3");
        assertEquals(503, refused.status(), "QUEUE_WAIT_MAX_WAITERS 3: " + refused.body());
        assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent());
        Api.Answer submitted = other.postJson("/jobs", job("/wait-full").replace("\"context\"", "\"delay\":3600,\"context\""),
                "Prefer", "wait=5");
        assertEquals(201, submitted.status(), "a stored job is not answered 503: the preference is not honoured");
        assertTrue(submitted.raw().headers().firstValue("Preference-Applied").isEmpty());
        assertEquals(204, api.send(HttpRequest.newBuilder(api.uri("/jobs/"
                + submitted.object().getJsonNumber("id").longValue())).DELETE()).status());
        for (CompletableFuture<Api.Answer> h : held) {
            assertEquals(202, h.get().status());
        }
        assertEquals(400, other.get("/jobs/" + parked + "/wait?timeout=21").status(), "QUEUE_WAIT_MAX_SECONDS 20");
        assertEquals(204, api.send(HttpRequest.newBuilder(api.uri("/jobs/" + parked)).DELETE()).status());
    }

    /**
     * 2,000 requests wait at once on one node, ten times the HTTP listener's 200 threads, so they cannot each hold
     * one: every one is answered, and the server's threads stay far fewer than the waiters. The jobs' key is paused
     * until every request waits, then resumed.
     */
    @Test
    void twoThousandWaitersCostNoThreadEach() throws Exception {
        assertEquals(200, api.postJson("/limits/wait-many/pause", "").status());
        String body = "[" + String.join(",", Collections.nCopies(2000,
                job("/wait-many").replace("\"context\":\"wait\"", "\"context\":\"wait-many\""))) + "]";
        Api.Answer batch = api.postJson("/jobs", body);
        assertEquals(201, batch.status(), batch.body());
        List<Long> ids = new ArrayList<>();
        batch.object().getJsonArray("jobs").forEach(j -> ids.add(j.asJsonObject().getJsonNumber("id").longValue()));
        double threadsBefore = threads();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(20)).build();
        URI base = api.uri("/jobs/");
        List<CompletableFuture<HttpResponse<String>>> waiters = new ArrayList<>();
        for (long id : ids) {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(id + "/wait?timeout=60"))
                    .timeout(Duration.ofSeconds(90));
            String token = Api.firstToken();
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            waiters.add(client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        double waiting = api.metric("queue_wait_requests");
        while (waiting < 2000 && System.nanoTime() < deadline) {
            Api.sleep(200);
            waiting = api.metric("queue_wait_requests");
        }
        double threadsWhileWaiting = threads();
        assertEquals(2000, waiting, "every request waits at once (queue_wait_requests)");
        assertEquals(0, target.hits("/wait-many").size(), "no job ran while its key was paused");
        assertEquals(200, api.postJson("/limits/wait-many/resume", "").status());
        int answered = 0;
        for (CompletableFuture<HttpResponse<String>> w : waiters) {
            HttpResponse<String> r = w.get();
            assertEquals(200, r.statusCode(), r.body());
            answered++;
        }
        assertEquals(2000, answered);
        assertTrue(threadsWhileWaiting < threadsBefore + 400, "threads before " + threadsBefore + ", with 2,000"
                + " waiters " + threadsWhileWaiting);
        assertEquals(0, api.metric("queue_wait_requests"), "every waiter was counted out");
        assertEquals(204, api.send(HttpRequest.newBuilder(api.uri("/limits/wait-many")).DELETE()).status());
    }

    /**
     * A wait's answer. When none comes, the failure tells what the server was doing: how many requests it held
     * waiting, and where the threads of its wait room were (a thread dump of the node, read with the JDK's jstack).
     */
    private Api.Answer waitOn(Api node, String path) {
        try {
            return node.get(path);
        } catch (AssertionError unanswered) {
            throw new AssertionError(path + ": " + unanswered.getMessage() + diagnosis(node), unanswered);
        }
    }

    private static String diagnosis(Api node) {
        StringBuilder d = new StringBuilder();
        try {
            Api fresh = new Api(node.uri("/"), Api.firstToken());
            d.append("\nqueue_wait_requests ").append(fresh.metric("queue_wait_requests"));
            String owner = fresh.get("/status").object().getString("node");
            Process jstack = new ProcessBuilder(System.getProperty("java.home") + "/bin/jstack", owner.split(":")[1])
                    .redirectErrorStream(true).start();
            String dump = new String(jstack.getInputStream().readAllBytes());
            for (String thread : dump.split("\n\n")) {
                if (thread.contains("queue-waits")) {
                    d.append("\n").append(thread.lines().filter(l -> !l.contains("java.base")).limit(14)
                            .collect(java.util.stream.Collectors.joining("\n")));
                }
            }
        } catch (AssertionError | java.io.IOException | RuntimeException e) {
            d.append("\nno diagnosis: ").append(e);
        }
        return d.toString();
    }

    private double threads() {
        for (String line : api.get("/metrics?scope=base").body().split("\n")) {
            if (line.matches("(base_)?thread_count[ {].*")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no thread_count in /metrics?scope=base");
    }
}
