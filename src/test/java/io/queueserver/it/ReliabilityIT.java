package io.queueserver.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.StringReader;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes on one MariaDB database with a short lease, a shutdown grace of two and a half leases and a retention of
 * 30 s, without a data grid (the database alone decides who runs what): a running node prunes, a node stopped with
 * SIGTERM keeps its leases through the grace, and a job whose nodes are killed under it ends as a poison job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityIT {
    static final int LEASE_SECONDS = 6;
    static final int GRACE_SECONDS = 15;
    static final Duration RETENTION = Duration.ofSeconds(30);
    static final Duration PRUNE_EVERY = Duration.ofSeconds(2);
    static ScratchDatabase database;
    static ClusterNodes nodes;
    static RecordingTarget target;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("reliability");
        target = new RecordingTarget();
        nodes = ClusterNodes.standalone(database.url(), Map.of("QUEUE_LEASE_SECONDS", Integer.toString(LEASE_SECONDS),
                "QUEUE_SHUTDOWN_GRACE_SECONDS", Integer.toString(GRACE_SECONDS),
                "QUEUE_RETENTION", Long.toString(RETENTION.toSeconds()), "QUEUE_MAX_THREADS", "4",
                "QUEUE_BACKOFF_BASE_MS", "200"), "reliability");
        // one node first, the only one that prunes often: the other tests' jobs are checked on the others
        nodes.awaitUp(nodes.start(0, Map.of("QUEUE_PRUNE_EVERY", Long.toString(PRUNE_EVERY.toSeconds()))),
                Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(nodes, target);
    }

    /**
     * Jobs finished longer than the retention ago are deleted with their attempt and callback rows; waiting and
     * working jobs, a job retried shortly before the retention passed (its age counts from its last end), and a
     * job finished recently stay.
     */
    @Test
    @Order(1)
    void aRunningNodePrunesOnlyOldFinishedJobs() throws Exception {
        Api api = api(nodes.nodes.get(0));
        Set<String> refused = ConcurrentHashMap.newKeySet();
        target.hooks.put("/once", hit -> {
            if (refused.add(hit.query())) {
                throw new IllegalStateException("refused once");
            }
        });
        String callback = "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/prune-callback") + "\"}";
        long done = api.add("{\"max_attempts\":2,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/once?id=__JOBID__")
                + "\"},\"callback_done\":" + callback + "}");
        long failed = api.add(failing(callback));
        long retried = api.add(failing(callback));
        long cancelled = api.add("{\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/never") + "\"}}");
        assertEquals(200, api.postJson("/jobs/" + cancelled + "/cancel", "").status());
        long scheduled = api.add("{\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/never") + "\"}}");
        long working = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=150000&prune=__JOBID__")
                + "\",\"timeout\":300}}");
        for (long id : List.of(done, failed, retried)) {
            api.awaitFinal(id);
        }
        api.awaitJob(working, j -> j.getString("state").equals("working"), Duration.ofSeconds(30));
        long finishedAt = System.nanoTime();
        List<Long> old = List.of(done, failed, cancelled);
        for (long id : List.of(done, failed)) {
            assertTrue(rows("queue_attempt", id) > 0 && rows("queue_callback", id) > 0,
                    "job " + id + " has attempt and callback rows to prune");
        }
        nodes.start(1); // for the next tests; they boot meanwhile
        nodes.start(2);

        // prunes ran meanwhile, every PRUNE_EVERY, and kept what is younger than the retention
        Api.sleep(Math.max(0, finishedAt + RETENTION.minusSeconds(8).toNanos() - System.nanoTime()) / 1_000_000);
        for (long id : List.of(done, failed, cancelled, retried)) {
            assertEquals(200, api.get("/jobs/" + id).status(), "job " + id + " pruned before the retention passed");
        }
        // retried shortly before the retention passes: its age counts from its second end, not its first
        assertEquals(200, api.postJson("/jobs/" + retried + "/retry", "").status());
        long recent = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/recent") + "\"}}");
        api.awaitFinal(recent);
        api.awaitFinal(retried);

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (old.stream().anyMatch(id -> api.get("/jobs/" + id).status() != 404) && System.nanoTime() < deadline) {
            Api.sleep(500);
        }
        Api.sleep(PRUNE_EVERY.multipliedBy(2).plusSeconds(1).toMillis()); // the retried job ended with its twin first
        for (long id : old) {
            assertEquals(404, api.get("/jobs/" + id).status(), "job " + id + " pruned");
            for (String table : List.of("queue_job", "queue_attempt", "queue_callback")) {
                assertEquals(0, rows(table, id), "job " + id + " left rows in " + table);
            }
        }
        Map<Long, String> kept = Map.of(scheduled, "scheduled", working, "working", retried, "failed", recent, "done");
        kept.forEach((id, state) -> assertEquals(state, api.job(id).getString("state"), "job " + id + " kept"));
        assertEquals(2, rows("queue_attempt", retried), "the retried job keeps both attempts");
        assertEquals(2, rows("queue_callback", retried), "the retried job keeps the callbacks of both failures");

        assertEquals(200, api.postJson("/jobs/" + working + "/cancel", "").status());
        assertEquals(200, api.postJson("/jobs/" + scheduled + "/cancel", "").status());
    }

    /**
     * SIGTERM on a node whose grace (15 s) is longer than the lease (6 s): its heartbeat goes on through the grace,
     * so no other node rescues its running jobs; those that finish meanwhile are recorded done once (one callback
     * each); the rest is handed back (no rescue) and runs once on another node.
     */
    @Test
    @Order(2)
    void aStoppingNodeKeepsItsLeasesThroughTheGrace() throws Exception {
        for (ClusterNodes.Node n : nodes.nodes) {
            nodes.awaitUp(n, Duration.ofMinutes(4));
        }
        ClusterNodes.Node stopping = nodes.nodes.get(0);
        Api api = api(nodes.nodes.get(1));
        String callback = "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/grace-done?id=__JOBID__") + "\"}";
        Api stoppingApi = api(stopping);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stoppingApi.metric("queue_jobs_running") > 0 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        // short and long in turn: whichever node claims some of them in a row gets both kinds
        String batch = "[" + String.join(",", java.util.Collections.nCopies(4,
                graceJob(5_000, callback) + "," + graceJob(20_000, callback))) + "]";
        Api.Answer created = stoppingApi.postJson("/jobs", batch); // its own submit wakes it first
        assertEquals(201, created.status(), created.body());
        List<Long> ids = created.object().getJsonArray("jobs").stream()
                .map(j -> j.asJsonObject().getJsonNumber("id").longValue()).toList();
        String owner = null;
        List<Long> finishing = new ArrayList<>();
        List<Long> unfinished = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            JsonObject job = api.awaitJob(ids.get(i), j -> j.getString("state").equals("working"), Duration.ofSeconds(30));
            if (nodes.runnerOf(job.getString("owner")) == stopping) {
                owner = job.getString("owner");
                (i % 2 == 0 ? finishing : unfinished).add(ids.get(i));
            }
        }
        assertTrue(!finishing.isEmpty() && !unfinished.isEmpty(), "short and long jobs run on the node that stops");
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ids.stream().anyMatch(id -> hits("/hold", "grace=" + id) == 0) && System.nanoTime() < deadline) {
            Api.sleep(20);
        }
        nodes.start(3); // a spare for the poison test

        long stoppedAt = System.nanoTime();
        stopping.process().destroy(); // SIGTERM
        String stoppingOwner = owner;
        Long handedBackAfter = null;
        while (handedBackAfter == null && System.nanoTime() - stoppedAt < Duration.ofSeconds(GRACE_SECONDS + 20).toNanos()) {
            if (unfinished.stream().noneMatch(id -> owned(id).equals(stoppingOwner))) {
                handedBackAfter = System.nanoTime() - stoppedAt;
            } else {
                long age = heartbeatAgeMillis(owner); // -1 once the node has left (after its hand-back)
                assertTrue(age < LEASE_SECONDS * 1000L, "the stopping node's heartbeat is " + age + " ms old");
            }
            for (long id : unfinished) {
                assertEquals(0, rescues(id), "job " + id + " rescued while its node was still in its grace");
            }
            Api.sleep(200);
        }
        assertTrue(handedBackAfter != null, "the unfinished jobs were handed back");
        assertTrue(handedBackAfter > Duration.ofSeconds(LEASE_SECONDS + 3).toNanos(),
                "handed back after the grace, a lease and more after SIGTERM: " + handedBackAfter / 1_000_000 + " ms");

        for (long id : finishing) {
            JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(10));
            assertEquals(owner, job.getString("owner"), "recorded by the stopping node: " + job);
            assertEquals(List.of("done"), outcomes(job), job.toString());
            assertEquals(1, hits("/hold", "grace=" + id), "job " + id + " ran once");
        }
        for (long id : unfinished) {
            JsonObject job = api.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(60));
            assertTrue(!job.getString("owner").equals(owner), "ran again on another node: " + job);
            assertEquals(0, job.getInt("rescues"), job.toString());
            assertEquals(List.of("done"), outcomes(job), "handed back, not counted: " + job);
            assertEquals(2, hits("/hold", "grace=" + id), "job " + id + " ran once more, elsewhere");
        }
        Api.sleep(2000); // a second delivery of a callback would come now
        for (long id : ids) {
            assertEquals(1, hits("/grace-done", "id=" + id), "job " + id + " recorded done once");
        }
    }

    /**
     * The node running a job is killed with SIGKILL, again and again: after each of the first three deaths the job is
     * rescued by a live node and runs again; the fourth death fails it as a poison job, with its callback_failed, and
     * it never runs again.
     */
    @Test
    @Order(3)
    void aJobWhoseNodesKeepDyingFailsAsPoison() throws Exception {
        long id = api(nodes.nodes.get(1)).add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=120000&poison=__JOBID__")
                + "\",\"timeout\":300},\"callback_failed\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\""
                + target.url("/poisoned") + "\"}}");
        for (int death = 1; death <= 4; death++) {
            int attempt = death;
            JsonObject row = awaitRow(id, r -> r.getInt("state") == 1 && r.getInt("attempt") == attempt
                    || r.getInt("state") == 99, Duration.ofMinutes(4));
            assertEquals(List.of(1, death - 1), List.of(row.getInt("state"), row.getInt("rescues")),
                    "rescued after each earlier death, not failed: " + row);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (hits("/hold", "poison=" + id) < death && System.nanoTime() < deadline) {
                Api.sleep(20); // killed once its request is under way, not between its claim and its start
            }
            ClusterNodes.Node victim = nodes.runnerOf(row.getString("owner"));
            victim.process().destroyForcibly().waitFor();
            nodes.start(nodes.nodes.size()); // so that a node is there to rescue, once it has been up for a lease
        }
        awaitRow(id, r -> r.getInt("state") == 99, Duration.ofMinutes(4));

        ClusterNodes.Node up = nodes.nodes.stream().filter(n -> n.process().isAlive()).findFirst().orElseThrow();
        nodes.awaitUp(up, Duration.ofMinutes(4));
        JsonObject job = api(up).job(id);
        assertTrue(job.getString("error").startsWith("poison job"), job.toString());
        assertEquals(4, job.getInt("rescues"), "rescued three times, then its node died a fourth time with it");
        assertEquals(List.of("rescued", "rescued", "rescued", "poisoned"), outcomes(job), job.toString());
        RecordingTarget.Hit callback = target.awaitHit("/poisoned", 60_000);
        assertEquals("failed", Json.createReader(new StringReader(callback.body())).readObject().getString("state"));
        Api.sleep(Duration.ofSeconds(LEASE_SECONDS * 2L).toMillis());
        assertEquals(4, hits("/hold", "poison=" + id), "ran once per node that died, never again");
        assertEquals("failed", api(up).job(id).getString("state"));
        try (java.sql.Connection c = database.connect()) {
            StateCountCheck.assertCountsAgree(c); // rescues and a poison failure move the counts too
        }
    }

    private static String failing(String callback) {
        return "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fail") + "\"},\"callback_failed\":" + callback + "}";
    }

    private static String graceJob(int millis, String callback) {
        return "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=" + millis + "&grace=__JOBID__")
                + "\",\"timeout\":120},\"callback_done\":" + callback + "}";
    }

    private static Api api(ClusterNodes.Node node) throws Exception {
        return new Api(new URL(node.base().toString()));
    }

    private static List<String> outcomes(JsonObject job) {
        return job.getJsonArray("attempts").stream().map(a -> a.asJsonObject().getString("outcome")).toList();
    }

    private static long hits(String path, String query) {
        return target.hits(path).stream().filter(h -> (h.query() + "&").contains(query + "&")).count();
    }

    private static int rows(String table, long job) {
        return sql("SELECT COUNT(*) FROM " + table + " WHERE " + (table.equals("queue_job") ? "id" : "job_id")
                + " = " + job, rs -> rs.getInt(1));
    }

    private static int rescues(long job) {
        return sql("SELECT rescues FROM queue_job WHERE id = " + job, rs -> rs.getInt(1));
    }

    /** The job's owner while it is working, else "". */
    private static String owned(long job) {
        return sql("SELECT CASE WHEN state = 1 THEN owner ELSE '' END FROM queue_job WHERE id = " + job,
                rs -> rs.getString(1));
    }

    private static long heartbeatAgeMillis(String node) {
        return sql("SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MAX(heartbeat_at), LOCALTIMESTAMP(6)) DIV 1000, -1)"
                + " FROM queue_node WHERE id = '" + node + "'", rs -> rs.getLong(1));
    }

    private static JsonObject awaitRow(long id, java.util.function.Predicate<JsonObject> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject row = null;
        while (System.nanoTime() < deadline) {
            row = sql("SELECT state, attempt, rescues, COALESCE(owner, '') FROM queue_job WHERE id = " + id,
                    rs -> Json.createObjectBuilder().add("state", rs.getInt(1)).add("attempt", rs.getInt(2))
                            .add("rescues", rs.getInt(3)).add("owner", rs.getString(4)).build());
            if (condition.test(row)) {
                return row;
            }
            Api.sleep(100);
        }
        throw new AssertionError("job " + id + " did not reach the expected state in " + timeout + ": " + row);
    }

    private static <T> T sql(String query, ScratchDatabase.Reader<T> reader) {
        try {
            return database.query(query, reader);
        } catch (Exception e) {
            throw new AssertionError(query + ": " + e, e);
        }
    }
}
