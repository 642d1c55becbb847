package io.queueserver.it;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The maintained job counts against a count of the job table, both read in one consistent snapshot: since every
 * transaction changes its rows and their counts together, they agree at any moment, even while jobs run.
 */
final class StateCountCheck {
    private StateCountCheck() {
    }

    static void assertCountsAgree(Connection c) throws Exception {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            Map<Integer, Long> kept = read(s, "SELECT state, SUM(n) FROM queue_count GROUP BY state");
            Map<Integer, Long> counted = read(s, "SELECT state, COUNT(*) FROM queue_job GROUP BY state");
            c.commit();
            kept.values().removeIf(n -> n == 0);
            assertEquals(counted, kept, "jobs per state: counted in queue_job vs kept in queue_count");
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static Map<Integer, Long> read(Statement s, String sql) throws Exception {
        Map<Integer, Long> counts = new TreeMap<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                counts.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return counts;
    }
}
