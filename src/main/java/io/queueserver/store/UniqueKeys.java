package io.queueserver.store;

import io.queueserver.core.Job;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;
import io.queueserver.core.TimeText;
import io.queueserver.core.Uniqueness;
import io.queueserver.core.Uniqueness.OnConflict;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The unique keys of one insert transaction. Their bindings ({@code queue_unique}) and the jobs bound to them are
 * locked first, so concurrent submits of a key, on any node, decide one after the other; a key seen for the first time
 * is inserted, and a concurrent first insert fails on the primary key (the caller submits again and finds it bound).
 */
final class UniqueKeys {
    private static final Set<JobState> NOT_STARTED = Set.of(JobState.WAITING, JobState.SCHEDULED);

    /** A key's job as this transaction sees it; {@code state} null when the job is gone. */
    private static final class Binding {
        long jobId;
        JobState state;
        LocalDateTime runAt;
        LocalDateTime boundAt;
        int absorbed;
        boolean stored;
        /** inserted in this transaction and not flushed yet: flushed before it is updated in SQL */
        boolean pending;
    }

    private final Transactions.Tx tx;
    private final LocalDateTime now;
    private final Map<String, Binding> bindings = new HashMap<>();

    private UniqueKeys(Transactions.Tx tx, LocalDateTime now) {
        this.tx = tx;
        this.now = now;
    }

    /** Locks the bindings of the specs' keys, and their jobs. */
    static UniqueKeys lock(Transactions.Tx tx, List<JobSpec> specs, LocalDateTime now) throws SQLException {
        UniqueKeys keys = new UniqueKeys(tx, now);
        List<String> names = specs.stream().map(JobSpec::uniqueKey).filter(k -> k != null).distinct().toList();
        if (!names.isEmpty()) {
            keys.load(names);
        }
        return keys;
    }

    private void load(List<String> names) throws SQLException {
        Connection c = tx.connection();
        Map<Long, Binding> byJob = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT unique_key, job_id, bound_at, absorbed"
                + " FROM queue_unique WHERE unique_key IN (" + marks(names.size()) + ") FOR UPDATE")) {
            for (int i = 0; i < names.size(); i++) {
                select.setString(i + 1, names.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Binding b = new Binding();
                    b.jobId = rs.getLong(2);
                    b.boundAt = rs.getObject(3, LocalDateTime.class);
                    b.absorbed = rs.getInt(4);
                    b.stored = true;
                    bindings.put(rs.getString(1), b);
                    byJob.put(b.jobId, b);
                }
            }
        }
        if (byJob.isEmpty()) {
            return;
        }
        try (PreparedStatement select = c.prepareStatement("SELECT id, state, run_at FROM queue_job WHERE id IN ("
                + byJob.keySet().stream().map(String::valueOf).collect(Collectors.joining(",")) + ") FOR UPDATE");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Binding b = byJob.get(rs.getLong(1));
                b.state = JobState.ofCode(rs.getInt(2));
                b.runAt = rs.getObject(3, LocalDateTime.class);
            }
        }
    }

    /**
     * What a submit of {@code job} does when its key is bound to a job that blocks duplicates, or null when the job is
     * to be stored (then {@link #bind} it). A reject throws {@link UniqueConflict}.
     */
    Stored duplicate(JobSpec spec, Job job) throws SQLException {
        Uniqueness unique = spec.unique();
        Binding b = unique == null ? null : bindings.get(unique.key());
        if (b == null || b.state == null || !unique.blocks(b.state, b.boundAt, now)) {
            return null;
        }
        OnConflict mode = unique.onConflict();
        if (mode == OnConflict.REJECT) {
            throw new UniqueConflict(unique.key(), b.jobId);
        }
        if ((mode == OnConflict.REPLACE || mode == OnConflict.DEBOUNCE) && b.state == JobState.WORKING) {
            return null; // it has started with what it had: this submit's job runs after it, and takes the key
        }
        if (!NOT_STARTED.contains(b.state)) {
            mode = OnConflict.RETURN_EXISTING; // a finished job that still holds the key cannot change
        }
        if (b.pending) {
            tx.em().flush();
            b.pending = false;
        }
        if (mode == OnConflict.REPLACE) {
            replace(b, job);
        } else if (mode == OnConflict.DEBOUNCE) {
            reschedule(b, unique.debounced(b.runAt, b.boundAt, now));
        }
        b.absorbed++;
        try (PreparedStatement update = tx.connection().prepareStatement(
                "UPDATE queue_unique SET absorbed = absorbed + 1 WHERE unique_key = ?")) {
            update.setString(1, unique.key());
            update.executeUpdate();
        }
        return new Stored(b.jobId, mode, b.absorbed);
    }

    /** The key's job, not started yet, becomes the new submit: its payload, priority, run time and expiry. */
    private void replace(Binding b, Job job) throws SQLException {
        try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_job SET payload = ?,"
                + " priority = ?, neg_priority = ?, context = ?, type = ?, max_attempts = ?, concurrency_key = ?,"
                + " expires_at = ?, run_at = ?, state = ? WHERE id = ?")) {
            update.setString(1, job.payload());
            update.setInt(2, job.priority());
            update.setInt(3, -job.priority());
            update.setString(4, job.context());
            update.setString(5, job.type());
            update.setInt(6, job.maxAttempts());
            update.setString(7, job.concurrencyKey());
            update.setString(8, TimeText.text(job.expiresAt()));
            update.setString(9, TimeText.text(job.runAt()));
            update.setInt(10, job.state().code());
            update.setLong(11, b.jobId);
            update.executeUpdate();
        }
        moved(b, job.state(), job.runAt());
    }

    /** Debounce: the key's job, not started yet, runs at {@code runAt}. */
    private void reschedule(Binding b, LocalDateTime runAt) throws SQLException {
        JobState state = runAt.isAfter(now) ? JobState.SCHEDULED : JobState.WAITING;
        try (PreparedStatement update = tx.connection().prepareStatement(
                "UPDATE queue_job SET run_at = ?, state = ? WHERE id = ?")) {
            update.setString(1, TimeText.text(runAt));
            update.setInt(2, state.code());
            update.setLong(3, b.jobId);
            update.executeUpdate();
        }
        moved(b, state, runAt);
    }

    private void moved(Binding b, JobState state, LocalDateTime runAt) {
        if (state != b.state) {
            tx.counts().moved(b.state, state, 1);
        }
        b.state = state;
        b.runAt = runAt;
    }

    /** The key of a job just stored is bound to it: a key seen for the first time, or bound again. */
    void bind(JobSpec spec, Job job) throws SQLException {
        Uniqueness unique = spec.unique();
        if (unique == null) {
            return;
        }
        Binding b = bindings.get(unique.key());
        boolean stored = b != null && b.stored;
        String sql = stored ? "UPDATE queue_unique SET job_id = ?, bound_at = ?, absorbed = 0 WHERE unique_key = ?"
                : "INSERT INTO queue_unique (job_id, bound_at, unique_key) VALUES (?, ?, ?)";
        try (PreparedStatement write = tx.connection().prepareStatement(sql)) {
            write.setLong(1, job.id());
            write.setString(2, TimeText.text(now));
            write.setString(3, unique.key());
            write.executeUpdate();
        }
        b = b != null ? b : new Binding();
        b.jobId = job.id();
        b.state = job.state();
        b.runAt = job.runAt();
        b.boundAt = now;
        b.absorbed = 0;
        b.stored = true;
        b.pending = true;
        bindings.put(unique.key(), b);
    }

    private static String marks(int n) {
        return String.join(",", Collections.nCopies(n, "?"));
    }
}
