package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The circuit breaker per target host (README "Per-host circuit breaker") on a node started with QUEUE_BREAKER=on, a
 * window of 10 and a 4 s cool-down, against a real local target scripted to fail and then recover, and a port
 * nobody listens on. {@code localhost} and {@code 127.0.0.1} are two hosts to the breaker, though one server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BreakerIT {
    static ScratchDatabase database;
    static ClusterNodes node;
    static RecordingTarget target;
    static Api api;
    @RegisterExtension
    static final Browser browser = Browser.open();

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("breaker");
        target = new RecordingTarget();
        node = ClusterNodes.standalone(database.url(), Map.of("QUEUE_BREAKER", "on", "QUEUE_BREAKER_WINDOW", "10",
                "QUEUE_BREAKER_FAILURE_RATE", "0.5", "QUEUE_BREAKER_COOLDOWN_SECONDS", "4"), "breaker");
        node.startAll(1);
        api = new Api(new URL(node.nodes.get(0).base().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        browser.close();
        database.dropAfter(node, target);
    }

    /** Jobs of one batch to {@code url}, with {@code attempts} attempts 0.2 s apart. */
    private static List<Long> jobs(String url, int n, int attempts) {
        String job = "{\"max_attempts\":" + attempts + ",\"backoff\":{\"min\":0.2,\"max\":0.2},\"command\":{\"type\":"
                + "\"http\",\"url\":\"" + url + "\",\"timeout\":10}}";
        Api.Answer a = api.postJson("/jobs", "[" + String.join(",", java.util.Collections.nCopies(n, job)) + "]");
        assertEquals(201, a.status(), a.body());
        List<Long> ids = new ArrayList<>();
        a.object().getJsonArray("jobs").forEach(j -> ids.add(j.asJsonObject().getJsonNumber("id").longValue()));
        return ids;
    }

    private static String local(String host, String path) {
        return target.url(path).replace("127.0.0.1", host);
    }

    private static JsonObject host(String name) {
        JsonArray hosts = api.get("/hosts").object().getJsonArray("hosts");
        return hosts.stream().map(JsonObject.class::cast).filter(h -> h.getString("host").equals(name)).findFirst()
                .orElse(null);
    }

    private static JsonObject awaitHost(String name, String state, int opened) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonObject h = null;
        while (System.nanoTime() < deadline) {
            h = host(name);
            if (h != null && h.getString("state").equals(state) && h.getInt("opened") >= opened) {
                return h;
            }
            Api.sleep(100);
        }
        throw new AssertionError("host " + name + " is not " + state + " (opened " + opened + "): " + h);
    }

    private static List<String> outcomes(JsonObject job) {
        return job.getJsonArray("attempts").stream().map(a -> a.asJsonObject().getString("outcome")).toList();
    }

    private static void awaitHits(String path, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (target.hits(path).size() < n) {
            assertTrue(System.nanoTime() < deadline, "no " + n + " requests to " + path + ": " + target.hits(path).size());
            Api.sleep(50);
        }
    }

    @Test
    @Order(1)
    void aFailingHostsJobsWaitWithoutUsingAttemptsAndOneProbeAtATimeClosesItAgain() {
        AtomicBoolean failing = new AtomicBoolean(true);
        target.scripts.put("/br-flaky", n -> RecordingTarget.Scripted.of(failing.get() ? 503 : 200));
        jobs(local("localhost", "/br-flaky"), 10, 1).forEach(id -> assertEquals("failed", api.awaitFinal(id).getString("state")));
        JsonObject open = awaitHost("localhost", "open", 1);
        assertTrue(open.getString("reason").contains("10 of the last 10 requests failed"), open.toString());

        int before = target.hits("/br-flaky").size();
        List<Long> waiting = jobs(local("localhost", "/br-flaky"), 5, 2);
        long healthy = jobs(local("127.0.0.1", "/br-ok"), 1, 1).get(0);
        assertEquals("done", api.awaitFinal(healthy).getString("state"), "another host's jobs run as usual");
        Api.sleep(1000);
        assertEquals(before, target.hits("/br-flaky").size(), "nothing reaches the failing host while it is open");
        for (long id : waiting) {
            JsonObject job = api.job(id);
            assertEquals(0, job.getInt("attempt"), "no attempt used: " + job);
            assertTrue(outcomes(job).stream().allMatch("paused_by_breaker"::equals), outcomes(job).toString());
            assertTrue(job.getString("state").equals("scheduled") || job.getString("state").equals("waiting"), job.toString());
        }

        awaitHits("/br-flaky", before + 1); // after the cool-down: one probe, which fails
        JsonObject reopened = awaitHost("localhost", "open", 2);
        assertTrue(reopened.getString("reason").startsWith("the probe failed"), reopened.toString());
        assertEquals(before + 1, target.hits("/br-flaky").size(), "one probe at a time");
        failing.set(false);

        for (long id : waiting) {
            api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(30));
        }
        assertEquals(before + 1 + 5, target.hits("/br-flaky").size(), "the failed probe, then each job once");
        long retries = waiting.stream().mapToLong(id -> outcomes(api.job(id)).stream().filter("retry"::equals).count()).sum();
        assertEquals(1, retries, "the only attempt used up is the failed probe's");
        awaitHost("localhost", "closed", 2);

        browser.driver.get(api.uri("/management/#/queues").toString());
        browser.await("the Queues page lists the host and its breaker", d -> {
            Object state = browser.js("const r = document.querySelector(\"#host-rows tr[data-host='localhost']\");"
                    + " return r ? r.dataset.state : null");
            return "closed".equals(state);
        });
    }

    @Test
    @Order(2)
    void refusedConnectionsOpenItAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String refused = "http://127.0.0.2:" + port + "/br-refused";
        jobs(refused, 3, 1).forEach(id -> assertEquals("failed", api.awaitFinal(id).getString("state")));
        JsonObject open = awaitHost("127.0.0.2", "open", 1);
        assertTrue(open.getString("reason").contains("refused"), open.toString());
        long held = jobs(refused, 1, 1).get(0);
        JsonObject job = api.awaitJob(held, j -> outcomes(j).contains("paused_by_breaker"), Duration.ofSeconds(10));
        assertEquals(0, job.getInt("attempt"), "it has not failed for want of attempts: " + job);
        assertTrue(job.getJsonObject("next_run").getString("why").contains("circuit breaker of host 127.0.0.2"),
                job.toString());
        browser.driver.get(api.uri("/management/#/queues").toString());
        browser.await("the open host is shown open", d -> "open".equals(browser.js("const r = document.querySelector("
                + "\"#host-rows tr[data-host='127.0.0.2']\"); return r ? r.dataset.state : null")));
        api.postJson("/jobs/" + held + "/cancel", "");
    }
}
