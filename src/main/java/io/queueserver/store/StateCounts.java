package io.queueserver.store;

import io.queueserver.core.JobState;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jobs per state, kept in {@code queue_count} by the transactions that add, move or remove jobs, so that counting
 * never scans the job table. A transaction collects its changes here and writes them just before it commits, into
 * one of {@value #BUCKETS} rows per state picked at random: concurrent transactions rarely wait for each other's
 * counter row, and as the last rows a transaction locks (in state order) they cannot take part in a deadlock.
 */
public final class StateCounts {
    static final int BUCKETS = 16;

    private final Map<JobState, Long> deltas = new EnumMap<>(JobState.class);

    public void added(JobState state, long n) {
        deltas.merge(state, n, Long::sum);
    }

    public void removed(JobState state, long n) {
        added(state, -n);
    }

    public void moved(JobState from, JobState to, long n) {
        if (from != to) {
            removed(from, n);
            added(to, n);
        }
    }

    long delta(JobState state) {
        return deltas.getOrDefault(state, 0L);
    }

    /** Writes the collected changes in one statement; nothing when they cancel out. */
    void write(Connection c) throws SQLException {
        deltas.values().removeIf(n -> n == 0);
        if (deltas.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("UPDATE queue_count SET n = n + CASE state");
        StringBuilder in = new StringBuilder();
        for (JobState s : deltas.keySet()) {
            sql.append(" WHEN ").append(s.code()).append(" THEN ?");
            in.append(in.isEmpty() ? "" : ", ").append(s.code());
        }
        sql.append(" END WHERE bucket = ? AND state IN (").append(in).append(")");
        try (PreparedStatement update = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (long n : deltas.values()) {
                update.setLong(p++, n);
            }
            update.setInt(p, ThreadLocalRandom.current().nextInt(BUCKETS));
            update.executeUpdate();
        }
        deltas.clear();
    }
}
