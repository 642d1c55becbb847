package io.queueserver.it;

import io.queueserver.store.FlowClaim;
import io.queueserver.store.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim query on the real MariaDB: its plan uses the claim index without a filesort, and SKIP LOCKED works. */
class ClaimQueryIT {
    static ScratchDatabase database;

    @BeforeAll
    static void schema() throws Exception {
        database = ScratchDatabase.create("claim");
        TestSchema.migrate(database.url(), System.getProperty("it.db.user"), System.getProperty("it.db.password"));
        try (Connection c = connect()) {
            try (Statement s = c.createStatement()) {
                for (int i = 0; i < 2000; i++) {
                    s.addBatch("INSERT INTO queue_job (state, priority, neg_priority, context, concurrency_key, type, payload,"
                            + " run_at, time_added) VALUES (" + (i % 4 == 0 ? 3 : 0) + ", " + (i % 7) * 100 + ", " + -(i % 7) * 100
                            + ", 'c', 'c', 'http', '{}',"
                            + " LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))");
                }
                s.executeBatch();
                s.execute("ANALYZE TABLE queue_job");
            }
        }
    }

    @AfterAll
    static void drop() throws Exception {
        database.drop();
    }

    static Connection connect() throws Exception {
        return database.connect();
    }

    @Test
    void claimUsesItsIndexWithoutFilesort() throws Exception {
        try (Connection c = connect();
             PreparedStatement explain = c.prepareStatement("EXPLAIN " + FlowClaim.ONE_KEY.replaceFirst("\\?", "'c'").replace("?", "50"));
             ResultSet plan = explain.executeQuery()) {
            assertTrue(plan.next());
            String key = plan.getString("key");
            String extra = String.valueOf(plan.getString("Extra"));
            assertEquals("ix_queue_job_claim", key, "plan: key=" + key + " extra=" + extra);
            assertFalse(extra.toLowerCase().contains("filesort"), extra);
        }
    }

    /**
     * The keys with waiting jobs are read by a loose index scan (a dive per key, whatever the number of jobs per key),
     * from after the cursor round to it; keys whose jobs are all in other states are not among them.
     */
    @Test
    void waitingKeysAreReadByALooseIndexScanFromTheCursorRoundToIt() throws Exception {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String row : List.of("0, 'k1'", "0, 'k1'", "3, 'k2'", "0, 'k3'", "0, 'k4'", "1, 'k5'")) {
                    s.addBatch("INSERT INTO queue_job (state, priority, neg_priority, context, concurrency_key, type,"
                            + " payload, run_at, time_added) VALUES (" + row.split(",")[0] + ", 0, 0, 'c'," + row.split(",")[1]
                            + ", 'http', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))");
                }
                s.executeBatch();
            }
            assertEquals(List.of("k3", "k4", "c", "k1"), FlowClaim.waitingKeys(c, "k1"));
            assertEquals(List.of("c", "k1", "k3", "k4"), FlowClaim.waitingKeys(c, null));
            try (PreparedStatement explain = c.prepareStatement("EXPLAIN " + FlowClaim.keysQuery(true, true)
                    .replaceFirst("\\?", "'a'").replaceFirst("\\?", "'z'").replace("?", "64"));
                 ResultSet plan = explain.executeQuery()) {
                assertTrue(plan.next());
                String extra = String.valueOf(plan.getString("Extra"));
                assertEquals("ix_queue_job_claim", plan.getString("key"), extra);
                assertTrue(extra.contains("Using index for group-by"), "a loose index scan: " + extra);
            }
            c.rollback();
        }
    }

    @Test
    void concurrentClaimsGetDisjointRowsWithoutWaiting() throws Exception {
        try (Connection a = connect(); Connection b = connect()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            List<Long> first = claim(a, 20);
            long start = System.nanoTime();
            List<Long> second = claim(b, 20);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(20, first.size());
            assertEquals(20, second.size());
            assertTrue(Collections.disjoint(first, second), first + " / " + second);
            assertTrue(waitedMillis < 5_000, "the second claimer was blocked for " + waitedMillis + " ms");
            a.rollback();
            b.rollback();
        }
    }

    private static List<Long> claim(Connection c, int n) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(FlowClaim.ONE_KEY)) {
            ps.setString(1, "c");
            ps.setInt(2, n);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }
}
