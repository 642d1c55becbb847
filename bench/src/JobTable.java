import io.queueserver.core.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the load generator reads from the server's table {@code queue_job} to check a phase: the state codes come
 * from the server's own {@link JobState}, never from numbers written here.
 */
final class JobTable {
    private JobTable() {
    }

    /** Jobs of {@code context} that are done and failed: {@code {done, failed}}. */
    static long[] finishedCounts(Connection db, String context) throws SQLException {
        long[] counts = new long[2];
        try (PreparedStatement q = db.prepareStatement(
                "SELECT state, COUNT(*) FROM queue_job WHERE context = ? AND state IN (?, ?) GROUP BY state")) {
            q.setString(1, context);
            q.setInt(2, JobState.DONE.code());
            q.setInt(3, JobState.FAILED.code());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts[JobState.ofCode(rs.getInt(1)) == JobState.DONE ? 0 : 1] = rs.getLong(2);
                }
            }
        }
        return counts;
    }

    /** Microseconds on the database clock from the first job of {@code context} stored to the last finished. */
    static long spanMicros(Connection db, String context) throws SQLException {
        try (PreparedStatement span = db.prepareStatement("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(time_added),"
                + " MAX(time_completed)) FROM queue_job WHERE context = ?")) {
            span.setString(1, context);
            try (ResultSet rs = span.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** time_started - time_added of every started job of {@code context}, in microseconds, in submit order. */
    static List<Long> startDelaysMicros(Connection db, String context) throws SQLException {
        List<Long> v = new ArrayList<>();
        try (PreparedStatement q = db.prepareStatement("SELECT TIMESTAMPDIFF(MICROSECOND, time_added, time_started)"
                + " FROM queue_job WHERE context = ? AND time_started IS NOT NULL ORDER BY id")) {
            q.setString(1, context);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    v.add(rs.getLong(1));
                }
            }
        }
        return v;
    }

    /** Jobs of the concurrency key {@code key} that are waiting. */
    static long waiting(Connection db, String key) throws SQLException {
        return count(db, "SELECT COUNT(*) FROM queue_job WHERE state = ? AND concurrency_key = ?",
                JobState.WAITING.code(), key);
    }

    /** How many distinct nodes ({@code owner}) ran jobs of {@code context}. */
    static long owners(Connection db, String context) throws SQLException {
        return count(db, "SELECT COUNT(DISTINCT owner) FROM queue_job WHERE context = ?", context);
    }

    private static long count(Connection db, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement q = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                q.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
