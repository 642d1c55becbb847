package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.sql.Connection;
import java.sql.DriverManager;
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
 * Three Payara Micro nodes on one MariaDB database run 2,000 HTTP jobs; one node is killed with SIGKILL mid-run.
 * Every job must end done, none lost, every job ran at least once, and only the jobs the killed node was running
 * may have run twice.
 */
class ClusterIT {
    static final int JOBS = 2000;
    static final String DB = System.getProperty("it.db.name", "queue_it") + "_cluster";
    static String server;
    static ClusterNodes cluster;
    static RecordingTarget target;

    @BeforeAll
    static void start() throws Exception {
        server = System.getProperty("it.db.url").replaceAll("/[^/]*$", "/");
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB);
            s.execute("CREATE DATABASE " + DB + " CHARACTER SET utf8mb4");
        }
        target = new RecordingTarget();
        cluster = new ClusterNodes(server + DB, Map.of("QUEUE_LEASE_SECONDS", "15", "QUEUE_MAX_THREADS", "16"));
        for (int i = 0; i < 3; i++) {
            cluster.start(i);
        }
        for (ClusterNodes.Node n : cluster.nodes) {
            cluster.awaitUp(n, Duration.ofMinutes(4));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (target != null) {
            target.close();
        }
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DB);
        }
    }

    static Connection admin() throws Exception {
        return DriverManager.getConnection(server, System.getProperty("it.db.user"), System.getProperty("it.db.password"));
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(server + DB, System.getProperty("it.db.user"), System.getProperty("it.db.password"));
    }

    @Test
    void nothingIsLostWhenANodeIsKilled() throws Exception {
        Api api = new Api(new URL(cluster.nodes.get(0).base().toString()));
        String job = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=40&id=__JOBID__") + "\"}}";
        for (int batch = 0; batch < JOBS / 500; batch++) {
            String jobs = String.join(",", java.util.Collections.nCopies(500, job));
            Api.Answer a = api.postJson("/jobs", "[" + jobs + "]");
            assertEquals(201, a.status(), a.body());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (target.hits("/hold").size() < 300 && System.nanoTime() < deadline) {
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
        assertEquals(Map.of(3, (long) JOBS), states, "every job done, none lost");

        Map<Long, Integer> runs = new HashMap<>();
        for (RecordingTarget.Hit hit : target.hits("/hold")) {
            runs.merge(Long.parseLong(hit.query().replaceAll(".*id=(\\d+).*", "$1")), 1, Integer::sum);
        }
        assertEquals(JOBS, runs.size(), "every job ran at least once");
        Set<Long> twice = runs.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertTrue(runningOnVictim.containsAll(twice),
                "only jobs the killed node was running ran twice: " + twice + " vs " + runningOnVictim);

        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(DISTINCT owner) FROM queue_attempt WHERE outcome = 'done'")) {
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

    private static Map<Integer, Long> states() throws Exception {
        Map<Integer, Long> states = new HashMap<>();
        try (Connection c = db(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM queue_job GROUP BY state")) {
            while (rs.next()) {
                states.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return states;
    }
}
