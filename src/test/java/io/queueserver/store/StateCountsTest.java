package io.queueserver.store;

import io.queueserver.core.JobState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The counts per state on the real schema (H2): what transactions write adds up over the buckets. */
class StateCountsTest {
    @Test
    void writesAddUpAcrossBuckets() throws Exception {
        String url = "jdbc:h2:mem:counts;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        TestSchema.migrate(url);
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            assertEquals(Map.of(), counts(c), "an empty table counts nothing");
            for (int i = 0; i < 50; i++) { // random buckets: many writes land in several rows per state
                StateCounts counts = new StateCounts();
                counts.added(JobState.WAITING, 3);
                counts.moved(JobState.WAITING, JobState.WORKING, 2);
                counts.moved(JobState.WORKING, JobState.DONE, 1);
                counts.moved(JobState.FAILED, JobState.FAILED, 7);
                counts.write(c);
            }
            assertEquals(Map.of(0, 50L, 1, 50L, 3, 50L), counts(c));
            StateCounts none = new StateCounts();
            none.added(JobState.DONE, 4);
            none.removed(JobState.DONE, 4);
            none.write(c);
            assertEquals(Map.of(0, 50L, 1, 50L, 3, 50L), counts(c), "changes that cancel out write nothing");
        }
    }

    private static Map<Integer, Long> counts(Connection c) throws Exception {
        Map<Integer, Long> counts = new TreeMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, SUM(n) FROM queue_count GROUP BY state HAVING SUM(n) <> 0")) {
            while (rs.next()) {
                counts.put(rs.getInt(1), rs.getLong(2));
            }
        }
        return counts;
    }
}
