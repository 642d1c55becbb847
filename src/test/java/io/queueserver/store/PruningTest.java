package io.queueserver.store;

import io.queueserver.core.JobState;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pruning on the real schema (H2): only finished jobs older than the retention go, with their attempts and callbacks. */
class PruningTest {
    @Test
    void deletesOnlyOldFinishedJobs() throws Exception {
        try (Connection c = database("prune")) {
            try (Statement s = c.createStatement()) {
                String old = "TIMESTAMPADD(DAY, -8, LOCALTIMESTAMP(6))";
                String recent = "TIMESTAMPADD(DAY, -1, LOCALTIMESTAMP(6))";
                insert(s, 1, 3, old);      // done, old: pruned
                insert(s, 2, 99, old);     // failed, old: pruned
                insert(s, 3, 4, old);      // cancelled, old: pruned
                insert(s, 4, 3, recent);   // done, recent: kept
                insert(s, 5, 0, null);     // waiting: kept
                insert(s, 6, 1, null);     // working: kept
                s.execute("INSERT INTO queue_attempt (job_id, attempt, finished_at, outcome) VALUES (1, 1, LOCALTIMESTAMP(6), 'done'), (4, 1, LOCALTIMESTAMP(6), 'done')");
                s.execute("INSERT INTO queue_callback (job_id, kind, state, webhook_id, command, body, next_at, time_added)"
                        + " VALUES (2, 'callback_done', 3, 'w', '{}', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))");
            }
            StateCounts counts = new StateCounts();
            assertEquals(3, Pruning.pruneBatch(c, counts, Duration.ofDays(7)).deleted());
            assertEquals(0, Pruning.pruneBatch(c, counts, Duration.ofDays(7)).found());
            assertEquals(-1, counts.delta(JobState.DONE), "the counts know what went");
            assertEquals(-1, counts.delta(JobState.FAILED));
            assertEquals(-1, counts.delta(JobState.CANCELLED));
            assertEquals(3, count(c, "queue_job"));
            assertEquals(1, count(c, "queue_attempt"));
            assertEquals(0, count(c, "queue_callback"));
        }
    }

    /** A job retried between the pruner's SELECT and its DELETE is not deleted: the DELETE repeats the condition. */
    @Test
    void aJobRetriedMeanwhileStays() throws Exception {
        try (Connection c = database("prune-race")) {
            try (Statement s = c.createStatement()) {
                insert(s, 1, 99, "TIMESTAMPADD(DAY, -8, LOCALTIMESTAMP(6))");
                insert(s, 2, 99, "TIMESTAMPADD(DAY, -8, LOCALTIMESTAMP(6))");
                s.execute("INSERT INTO queue_attempt (job_id, attempt, finished_at, outcome) VALUES (1, 1, LOCALTIMESTAMP(6), 'failed')");
            }
            var ids = Pruning.prunable(c, Duration.ofDays(7));
            assertEquals(java.util.List.of(1L, 2L), ids);
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE queue_job SET state = 0, time_completed = NULL WHERE id = 1"); // retried
            }
            StateCounts counts = new StateCounts();
            assertEquals(1, Pruning.delete(c, counts, ids, Duration.ofDays(7)));
            assertEquals(-1, counts.delta(JobState.FAILED), "only the job that went is counted out");
            assertEquals(1, count(c, "queue_job"), "the retried job stays");
            assertEquals(1, count(c, "queue_attempt"), "with its history");
        }
    }

    /** An embedded database of its own with the real schema. */
    private static Connection database(String name) throws Exception {
        String url = "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        TestSchema.migrate(url);
        return DriverManager.getConnection(url, "sa", "");
    }

    private static void insert(Statement s, long id, int state, String completed) throws Exception {
        s.execute("INSERT INTO queue_job (id, state, priority, context, type, payload, run_at, time_added, time_completed)"
                + " VALUES (" + id + ", " + state + ", 500, 'c', 'http', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), "
                + (completed == null ? "NULL" : completed) + ")");
    }

    private static int count(Connection c, String table) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
