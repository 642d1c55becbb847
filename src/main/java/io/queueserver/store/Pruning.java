package io.queueserver.store;

import io.queueserver.core.JobState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Deletes finished jobs (done, failed, cancelled) older than the retention, with their attempts and callbacks. */
@ApplicationScoped
public class Pruning {
    public static final int BATCH = 1000;
    private static final List<JobState> FINISHED = List.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED,
            JobState.EXPIRED);
    private static final String OLD = "time_completed < TIMESTAMPADD(SECOND, ?, LOCALTIMESTAMP(6))";

    @Inject
    Transactions transactions;

    /** One round: how many rows it found, how many it deleted (fewer when some were retried in between). */
    public record Batch(int found, int deleted) {
    }

    /** One batch of at most {@value #BATCH} jobs in one transaction. */
    public Batch pruneBatch(Duration keep) throws SQLException {
        return transactions.run(tx -> pruneBatch(tx.connection(), tx.counts(), keep));
    }

    static Batch pruneBatch(Connection c, StateCounts counts, Duration keep) throws SQLException {
        List<Long> ids = prunable(c, keep);
        return new Batch(ids.size(), delete(c, counts, ids, keep));
    }

    static List<Long> prunable(Connection c, Duration keep) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM queue_job WHERE state IN ("
                + FINISHED.stream().map(s -> Integer.toString(s.code())).collect(Collectors.joining(", ")) + ") AND "
                + OLD + " LIMIT " + BATCH)) {
            select.setLong(1, -keep.toSeconds());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /**
     * Deletes those of the jobs that are still finished and old, state by state (so the counts know what went), with
     * their attempts and callbacks; returns how many. The DELETE repeats the condition: a job retried meanwhile stays.
     */
    static int delete(Connection c, StateCounts counts, List<Long> ids, Duration keep) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        int deleted = 0;
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM queue_job WHERE id IN (" + in + ")"
                + " AND state = ? AND " + OLD)) {
            for (JobState state : FINISHED) {
                delete.setInt(1, state.code());
                delete.setLong(2, -keep.toSeconds());
                int n = delete.executeUpdate();
                counts.removed(state, n);
                deleted += n;
            }
        }
        String gone = "SELECT 1 FROM queue_job j WHERE j.id = job_id";
        for (String table : new String[] {"queue_attempt", "queue_callback", "queue_unique"}) {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE job_id IN (" + in
                    + ") AND NOT EXISTS (" + gone + ")")) {
                delete.executeUpdate();
            }
        }
        return deleted;
    }
}
