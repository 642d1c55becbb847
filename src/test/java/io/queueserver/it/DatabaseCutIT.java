package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes on one MariaDB through a TCP proxy, http jobs running, and the database cut for longer than a lease
 * twice: refused (connections reset, like a restart), then held (bytes kept, like a partition that heals). No node
 * dies, so no job may run twice; none may be lost; every submit is answered within 10 s, 503 only when nothing was
 * stored, and a submit of unknown outcome is settled by sending it again with the same Idempotency-Key.
 */
class DatabaseCutIT {
    static final int JOBS = 240;
    /** Longer than the driver's 8 s socket timeout: a live node always beats again within a lease after a heal. */
    static final int LEASE_SECONDS = 12;
    static ScratchDatabase database;
    static TcpProxy proxy;
    static ClusterNodes cluster;
    static RecordingTarget target;
    static final List<Api> apis = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("cut");
        proxy = new TcpProxy(database.port());
        target = new RecordingTarget();
        cluster = new ClusterNodes("jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + database.name,
                Map.of("QUEUE_LEASE_SECONDS", Integer.toString(LEASE_SECONDS), "QUEUE_MAX_THREADS", "4"));
        for (ClusterNodes.Node n : cluster.startAll(3).nodes) {
            apis.add(new Api(new URL(n.base().toString())));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(cluster, target, proxy);
    }

    /** What one submit during a cut was answered, and how fast. */
    record Submit(String key, int status, String outcome, long millis, String body) {
        boolean outcomeUnknown() {
            return body.contains("\"type\":\"urn:queue-server:problem:outcome-unknown\"");
        }
    }

    @Test
    void aCutLongerThanALeaseRunsNothingTwiceAndLosesNothing() throws Exception {
        String job = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=400&id=__JOBID__") + "\"}}";
        for (int batch = 0; batch < JOBS / 80; batch++) {
            Api.Answer a = apis.get(batch % 3).postJson("/jobs", "[" + String.join(",", java.util.Collections.nCopies(80, job)) + "]");
            assertEquals(201, a.status(), a.body());
        }
        awaitHits(20);

        List<Submit> submits = new ArrayList<>();
        proxy.cut();
        submits.addAll(submitFor(Duration.ofSeconds(LEASE_SECONDS + 6), "refused", job));
        proxy.restore();
        Api.sleep(3_000);
        proxy.hold();
        submits.addAll(submitFor(Duration.ofSeconds(LEASE_SECONDS + 6), "held", job));
        proxy.release();

        for (Submit s : submits) {
            assertTrue(s.millis() < 10_000, "answered within 10 s: " + s);
            assertTrue(s.status() == 200 || s.status() == 503 || s.status() == 500 && s.outcomeUnknown(),
                    "503 (nothing stored) or an unknown outcome, never a hang or another error: " + s);
        }
        // after the heal, every submit of unknown outcome is sent again with its key: the key makes it safe
        Map<String, Long> settled = new HashMap<>();
        for (Submit s : submits) {
            if (s.status() != 503) {
                settled.put(s.key(), resubmit(s.key(), job));
            }
        }
        try (Connection c = database.connect()) {
            for (Submit s : submits) {
                if (s.status() == 503) {
                    assertEquals(0, countByKey(c, s.key()), "answered 503, so nothing was stored: " + s);
                } else {
                    assertEquals(1, countByKey(c, s.key()), "stored exactly once: " + s);
                }
            }
        }

        long expected = JOBS + settled.size();
        Map<Integer, Long> states = Map.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            states = states();
            if (states.getOrDefault(3, 0L) == expected) {
                break;
            }
            Api.sleep(500);
        }
        assertEquals(Map.of(3, expected), states, "every accepted job done, none lost");
        Map<String, Long> runs = target.hits("/hold").stream()
                .collect(Collectors.groupingBy(h -> h.query().replaceAll(".*id=(\\d+).*", "$1"), Collectors.counting()));
        assertEquals(expected, runs.size(), "every job ran");
        assertEquals(Map.of(), runs.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "no node died, so no job ran twice");
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM queue_attempt WHERE outcome IN ('rescued', 'poisoned')")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "an outage seen by every node is not a death");
        }
        try (Connection c = database.connect()) {
            StateCountCheck.assertCountsAgree(c); // transactions refused, blackholed or of unknown outcome included
        }
    }

    private List<Submit> submitFor(Duration length, String phase, String job) {
        List<Submit> submits = new ArrayList<>();
        long end = System.nanoTime() + length.toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            String key = "cut-" + phase + "-" + i;
            long start = System.nanoTime();
            Api.Answer a = apis.get(i % 3).postJson("/jobs/add", job, "Idempotency-Key", key);
            submits.add(new Submit(key, a.status(), a.raw().headers().firstValue("Queue-Outcome").orElse(null),
                    Duration.ofNanos(System.nanoTime() - start).toMillis(), a.body()));
            Api.sleep(1_000);
        }
        return submits;
    }

    private long resubmit(String key, String job) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Api.Answer a = apis.get(0).postJson("/jobs/add", job, "Idempotency-Key", key);
            if (a.status() == 200) {
                return Long.parseLong(a.object().getString("job_id"));
            }
            Api.sleep(500);
        }
        throw new AssertionError("the database did not come back for " + key);
    }

    private void awaitHits(int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (target.hits("/hold").size() < n && System.nanoTime() < deadline) {
            Api.sleep(20);
        }
    }

    private static long countByKey(Connection c, String key) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM queue_job WHERE unique_key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<Integer, Long> states() throws Exception {
        Map<Integer, Long> states = new HashMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM queue_job GROUP BY state")) {
            while (rs.next()) {
                states.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return states;
    }
}
