package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URL;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flow control across three nodes on one MariaDB: a key limited to 2 never has 3 running, also while a node is
 * killed; a rate limit holds across nodes; a pause holds on every node and across a restart; QUEUE_LIMITS fills in
 * the rules of a first start and never overwrites a changed one; a flood leaves each node's reserved slot to another
 * key's job.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlowClusterIT {
    static ScratchDatabase database;
    static ClusterNodes cluster;
    static RecordingTarget target;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("flow");
        target = new RecordingTarget();
        cluster = ClusterNodes.standalone(database.url(), Map.of("QUEUE_LEASE_SECONDS", "8", "QUEUE_MAX_THREADS", "8",
                "QUEUE_RESERVED_SLOTS", "1", "QUEUE_LIMITS", "{\"fcl-env\":{\"concurrency\":3}}"), "flow");
        cluster.startAll(3);
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(cluster, target);
    }

    private static Api api(int node) throws Exception {
        List<ClusterNodes.Node> alive = cluster.nodes.stream().filter(n -> n.process().isAlive()).toList();
        return new Api(new URL(alive.get(node % alive.size()).base().toString()));
    }

    private static Api.Answer put(Api api, String key, String body) {
        return api.send(HttpRequest.newBuilder(api.uri("/limits/" + key)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A rule changed on one node holds on every node within a second (README "Flow control"). */
    private static void everyNodeKnows() {
        Api.sleep(1100);
    }

    private static List<Long> batch(Api api, String key, String path, int n) {
        String job = "{\"concurrency_key\":\"" + key + "\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path)
                + "\",\"timeout\":30}}";
        Api.Answer a = api.postJson("/jobs", "[" + String.join(",", Collections.nCopies(n, job)) + "]");
        assertEquals(201, a.status(), a.body());
        List<Long> ids = new ArrayList<>();
        a.object().getJsonArray("jobs").forEach(j -> ids.add(j.asJsonObject().getJsonNumber("id").longValue()));
        return ids;
    }

    @Test
    @Order(1)
    void aKeyLimitedToTwoNeverRunsThreeAcrossNodesEvenWhenOneIsKilled() throws Exception {
        assertEquals(200, put(api(0), "fcl-two", "{\"concurrency\":2}").status());
        everyNodeKnows();
        List<Long> ids = batch(api(1), "fcl-two", "/fcl-two?hold_ms=250", 40);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ClusterNodes.Node victim = null;
        while (victim == null && System.nanoTime() < deadline) {
            for (ClusterNodes.Node n : cluster.nodes) {
                JsonObject working = api(0).get("/jobs?state=working&limit=10").object();
                if (working.getJsonArray("jobs").toString().contains(":" + n.process().pid() + ":")) {
                    victim = n;
                    break;
                }
            }
        }
        assertTrue(victim != null, "a node runs a job of the key");
        victim.process().destroyForcibly().waitFor(); // its job stays counted until its lease is rescued
        Api survivor = api(0);
        for (long id : ids) {
            assertEquals("done", survivor.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(90))
                    .getString("state"));
        }
        assertEquals(2, target.maxConcurrent("/fcl-two"), "never 3 at once at the target, and 2 were used");
    }

    @Test
    @Order(2)
    void aRateLimitHoldsAcrossNodes() throws Exception {
        assertEquals(200, put(api(0), "fcl-rate", "{\"rate\":\"20/s\"}").status()); // burst: a second's tokens
        everyNodeKnows();
        List<Long> ids = batch(api(1), "fcl-rate", "/fcl-rate", 100);
        Api survivor = api(0);
        ids.forEach(id -> survivor.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(60)));
        List<RecordingTarget.Hit> hits = target.hits("/fcl-rate");
        assertEquals(100, hits.size(), "every job ran once");
        // a full bucket of 20 at the first claim, then 20/s: the 100th job starts 80/20 = 4 s after the first
        double seconds = (hits.get(99).nanos() - hits.get(0).nanos()) / 1e9;
        double rate = 80 / seconds;
        assertTrue(rate > 18 && rate < 22, "measured " + rate + "/s after the burst, for a limit of 20/s across nodes");
    }

    @Test
    @Order(3)
    void aPauseHoldsOnEveryNodeAndAcrossARestart() throws Exception {
        assertEquals(200, api(0).postJson("/limits/fcl-pause/pause", "").status());
        everyNodeKnows();
        long id = batch(api(1), "fcl-pause", "/fcl-pause", 1).get(0);
        Api.sleep(2000);
        assertEquals("waiting", api(1).job(id).getString("state"), "no node starts it");
        assertEquals(3, api(0).get("/limits/fcl-env").object().getInt("concurrency"), "QUEUE_LIMITS of a first start");
        assertEquals(200, put(api(0), "fcl-env", "{\"concurrency\":5}").status());
        ClusterNodes.Node first = cluster.nodes.stream().filter(n -> n.process().isAlive()).findFirst().orElseThrow();
        first.process().destroy();
        first.process().waitFor();
        ClusterNodes.Node restarted = cluster.start(first.index());
        cluster.awaitUp(restarted, Duration.ofMinutes(4));
        Api again = new Api(new URL(restarted.base().toString()));
        assertTrue(again.get("/limits/fcl-pause").object().getBoolean("paused"), "the pause survived the restart");
        assertEquals(5, again.get("/limits/fcl-env").object().getInt("concurrency"),
                "a rule changed through the API is kept: QUEUE_LIMITS only fills in keys without one");
        Api.sleep(1500);
        assertEquals("waiting", again.job(id).getString("state"));
        assertEquals(200, again.postJson("/limits/fcl-pause/resume", "").status());
        assertEquals("done", api(0).awaitFinal(id).getString("state"));
    }

    /**
     * A flood that could fill every slot leaves each node's reserve free (QUEUE_RESERVED_SLOTS=1 of 8), so another
     * key's job starts while the flood's jobs still hold every other slot, instead of after the first of them ends.
     */
    @Test
    @Order(4)
    void aFloodLeavesEachNodeAFreeSlotForAnotherKeysJob() throws Exception {
        int regular = (int) cluster.nodes.stream().filter(n -> n.process().isAlive()).count() * (8 - 1);
        List<Long> flood = batch(api(0), "fcl-flood", "/fcl-flood?hold_ms=6000", regular + 20);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (target.hits("/fcl-flood").size() < regular && System.nanoTime() < deadline) {
            Api.sleep(50);
        }
        Api.sleep(500);
        assertEquals(regular, target.hits("/fcl-flood").size(), "the flood holds every slot but each node's reserve");
        long lone = batch(api(1), "fcl-lone", "/fcl-lone", 1).get(0);
        JsonObject done = api(0).awaitJob(lone, j -> j.getString("state").equals("done"), Duration.ofSeconds(4));
        assertEquals("done", done.getString("state"), done.toString());
        assertEquals(regular, target.hits("/fcl-flood").size(), "it ran while the flood's first jobs were still held");
        assertEquals(200, api(0).postJson("/limits/fcl-flood/pause", "").status());
        for (long id : flood) {
            api(0).postJson("/jobs/" + id + "/cancel", ""); // 409 for any that finished: nothing to do
        }
    }
}
