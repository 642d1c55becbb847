package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose link to MariaDB is cut (through a TCP proxy) and restored: while cut the API answers 503 with
 * Retry-After instead of hanging; afterwards work resumes by itself and the result of a job that finished during
 * the outage is recorded.
 */
class DatabaseOutageIT {
    static ScratchDatabase database;
    static TcpProxy proxy;
    static ClusterNodes nodes;
    static RecordingTarget target;
    static Api api;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("outage");
        proxy = new TcpProxy(database.port());
        target = new RecordingTarget();
        nodes = new ClusterNodes("jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + database.name, Map.of());
        ClusterNodes.Node node = nodes.start(0);
        nodes.awaitUp(node, Duration.ofMinutes(4));
        api = new Api(new URL(node.base().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(nodes, target, proxy);
    }

    @Test
    void answers503WhileTheDatabaseIsAwayAndResumesAlone() throws Exception {
        assertEquals(3, api.awaitFinal(api.add(job("/before"))).getInt("worker_status"));
        long during = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=3000&n=during") + "\"}}");
        api.awaitJob(during, j -> j.getString("state").equals("working"), Duration.ofSeconds(10));

        proxy.cut();
        long start = System.nanoTime();
        Api.Answer refused = api.postJson("/jobs/add", job("/refused"));
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertEquals(503, refused.status(), refused.body());
        assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent());
        assertTrue(refused.contentType().startsWith("application/problem+json"));
        assertTrue(seconds < 20, "answered in " + seconds + " s, no hang");
        assertEquals(503, api.get("/jobs/status").status());
        assertEquals(503, api.get("/health/ready").status(), "not ready without its database");
        Api.Answer status = api.get("/status");
        assertEquals(503, status.status(), status.body());
        assertEquals("DOWN", status.object().getString("status"));
        assertEquals(false, status.object().getBoolean("ready"), status.body());
        assertEquals("DOWN", status.object().getJsonObject("checks").getJsonObject("queue-database").getString("status"));
        assertTrue(!status.object().containsKey("jobs"), "no counts without the database: " + status.body());
        target.awaitHit("/hold", 10_000);
        Api.sleep(5_000); // the job finished at its target while the database was away

        proxy.restore();
        long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
        Api.Answer accepted = null;
        while (System.nanoTime() < deadline) {
            accepted = api.postJson("/jobs/add", job("/after"));
            if (accepted.status() == 200) {
                break;
            }
            Api.sleep(500);
        }
        assertEquals(200, accepted.status(), accepted.body());
        long after = Long.parseLong(accepted.object().getString("job_id"));
        JsonObject afterJob = api.awaitJob(after, j -> j.getString("state").equals("done"), Duration.ofSeconds(45));
        assertEquals(200, afterJob.getInt("return_code"));
        JsonObject recovered = api.awaitJob(during, j -> j.getString("state").equals("done"), Duration.ofSeconds(45));
        assertEquals(1, recovered.getInt("attempt"), "recorded, not run again: " + recovered);
        assertEquals(1, target.hits("/hold").size());
        assertTrue(target.hits("/refused").isEmpty());
        assertEquals(200, api.get("/status").status(), "up again");
    }

    private String job(String path) {
        return "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}}";
    }
}
