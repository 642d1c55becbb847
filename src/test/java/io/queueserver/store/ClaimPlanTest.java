package io.queueserver.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
        a = DriverManager.getConnection(url);
        b = DriverManager.getConnection(url);
        int version = Schema.migrate(a);
        assertTrue(version >= 2, "every script in sql/ is applied: " + version);
        assertEquals(version, Schema.migrate(a), "applied scripts are not applied again");
    }

    @AfterEach
    void close() throws SQLException {
        a.close();
        b.close();
    }

    private long insert(int state, int priority) throws SQLException {
        try (PreparedStatement ps = a.prepareStatement("INSERT INTO queue_job (state, priority, context, type, payload,"
                + " run_at, time_added) VALUES (?, ?, 'c', 'http', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setInt(1, state);
            ps.setInt(2, priority);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static List<Long> claim(Connection c, int limit) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(Claimer.CLAIM)) {
            ps.setInt(1, limit);
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
