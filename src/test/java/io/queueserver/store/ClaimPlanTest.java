package io.queueserver.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim query against the real schema on H2 (the embedded database): order and SKIP LOCKED. */
class ClaimPlanTest {
    private Connection a;
    private Connection b;

    @BeforeEach
    void schema() throws Exception {
        String url = "jdbc:h2:mem:claim" + System.nanoTime() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        int version = TestSchema.migrate(url);
        assertTrue(version >= 11, "every script in sql/ is applied: " + version);
        assertEquals(version, TestSchema.migrate(url), "applied scripts are not applied again");
        a = DriverManager.getConnection(url, "sa", "");
        b = DriverManager.getConnection(url, "sa", "");
    }

    @AfterEach
    void close() throws SQLException {
        a.close();
        b.close();
    }

    private long nextId = 1;

    private long insert(int state, int priority) throws SQLException {
        return insert(nextId++, state, priority, "LOCALTIMESTAMP(6)");
    }

    private long insert(long id, int state, int priority, String runAt) throws SQLException {
        try (PreparedStatement ps = a.prepareStatement("INSERT INTO queue_job (id, state, priority, neg_priority, context,"
                + " concurrency_key, type, payload, run_at, time_added) VALUES (?, ?, ?, ?, 'c', 'c', 'http', '{}', " + runAt
                + ", LOCALTIMESTAMP(6))")) {
            ps.setLong(1, id);
            ps.setInt(2, state);
            ps.setInt(3, priority);
            ps.setInt(4, -priority);
            ps.executeUpdate();
            return id;
        }
    }

    private static List<Long> claim(Connection c, int limit) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(FlowClaim.ONE_KEY)) {
            ps.setString(1, "c");
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    @Test
    void highestPriorityFirstThenFifo() throws SQLException {
        long low = insert(0, 100);
        long firstMid = insert(0, 500);
        long high = insert(0, 900);
        long secondMid = insert(0, 500);
        insert(1, 1000); // working
        insert(5, 1000); // scheduled
        insert(3, 1000); // done
        assertEquals(List.of(high, firstMid, secondMid, low), claim(a, 10));
        assertEquals(List.of(high, firstMid), claim(a, 2));
    }

    /** Ids come in blocks per node, so a newer job may have a smaller id: the job due first goes first. */
    @Test
    void equalPrioritiesGoInTheOrderTheyBecameDue() throws SQLException {
        long later = insert(5, 0, 500, "TIMESTAMPADD(SECOND, -1, LOCALTIMESTAMP(6))");
        long earlier = insert(1005, 0, 500, "TIMESTAMPADD(SECOND, -2, LOCALTIMESTAMP(6))");
        assertEquals(List.of(earlier, later), claim(a, 10));
    }

    /** H2 applies LIMIT before skipping locked rows, so the second claimer may get fewer (MariaDB: see ClaimQueryIT). */
    @Test
    void concurrentClaimersNeverShareAJob() throws SQLException {
        List<Long> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(insert(0, 500));
        }
        a.setAutoCommit(false);
        b.setAutoCommit(false);
        List<Long> first = claim(a, 4);
        List<Long> second = claim(b, 4);
        assertEquals(all.subList(0, 4), first);
        assertTrue(Collections.disjoint(first, second), first + " / " + second);
        a.rollback();
        b.rollback();
    }
}
