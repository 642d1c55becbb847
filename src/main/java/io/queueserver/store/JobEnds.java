package io.queueserver.store;

import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import io.queueserver.core.ParentOutputs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a job's end does beyond its own row, in the transaction that ends it: its batch's bookkeeping
 * ({@link Batches}), and the jobs that depend on it. A blocked job whose dependencies have all ended is released
 * (waiting, its parents' outputs put into its command), or fails or is cancelled by a dependency that did not
 * succeed, as each dependency's policy says; such an end is followed in turn. Jobs without a batch or dependents
 * cost nothing here.
 */
@ApplicationScoped
public class JobEnds {
    public static final int FAIL = 0;
    public static final int SKIP = 1;
    public static final int CONTINUE = 2;

    @Inject
    CallbackOutbox outbox;

    @Inject
    Transactions transactions;

    @Inject
    ChangedBatches changedBatches;

    /** A job that has just reached a final state, and whether its end has more to do. */
    public record End(long id, JobState state, long batchId, int dependents) {
        boolean matters() {
            return batchId > 0 || dependents > 0;
        }
    }

    /** The end of a job that a route or sweep (not the claim) ended: its batch and dependents read from its row. */
    public static End endOf(Connection c, long id, JobState state) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT batch_id, dependents FROM queue_job WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? new End(id, state, rs.getLong(1), rs.getInt(2)) : new End(id, state, 0, 0);
            }
        }
    }

    /**
     * Decides blocked jobs whose dependencies have all ended but that no parent's end released (a dependency added
     * while its parent ran); returns whether callbacks were written.
     */
    public boolean sweep() throws SQLException {
        return transactions.run(tx -> {
            boolean callbacks = false;
            List<End> ends = new ArrayList<>();
            for (long id : overdue(tx.connection(), 100)) {
                Optional<Released> r = evaluate(tx, id);
                if (r.isPresent() && r.get().end() != null) {
                    callbacks |= r.get().callbacks();
                    ends.add(r.get().end());
                }
            }
            return ended(tx, ends) | callbacks;
        });
    }

    /** Follows the ends; returns whether callbacks were written (the deliverer is to be woken). */
    public boolean ended(Transactions.Tx tx, List<End> ends) throws SQLException {
        Deque<End> todo = new ArrayDeque<>(ends.stream().filter(End::matters).toList());
        boolean callbacks = false;
        while (!todo.isEmpty()) {
            List<End> round = new ArrayList<>(todo);
            todo.clear();
            Map<Long, Map<Long, JobState>> byBatch = new LinkedHashMap<>();
            for (End e : round) {
                if (e.batchId() > 0) {
                    byBatch.computeIfAbsent(e.batchId(), b -> new LinkedHashMap<>()).put(e.id(), e.state());
                }
            }
            for (var batch : byBatch.entrySet()) {
                callbacks |= Batches.settle(tx.connection(), batch.getKey(), batch.getValue());
                changedBatches.add(batch.getKey());
            }
            List<Long> parents = round.stream().filter(e -> e.dependents() > 0).map(End::id).toList();
            for (long child : children(tx.connection(), parents)) {
                Optional<Released> r = evaluate(tx, child);
                if (r.isPresent() && r.get().end() != null) {
                    callbacks |= r.get().callbacks();
                    todo.add(r.get().end());
                }
            }
        }
        return callbacks;
    }

    /** What the evaluation of a blocked job did: ended it ({@code end}), or released it ({@code end} null). */
    record Released(End end, boolean callbacks) {
    }

    static List<Long> children(Connection c, List<Long> parents) throws SQLException {
        List<Long> children = new ArrayList<>();
        if (parents.isEmpty()) {
            return children;
        }
        try (PreparedStatement select = c.prepareStatement("SELECT DISTINCT job_id FROM queue_dependency WHERE"
                + " parent_id IN (" + parents.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")"
                + " ORDER BY job_id");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                children.add(rs.getLong(1));
            }
        }
        return children;
    }

    private record Parent(String name, int policy, JobState state, String output) {
    }

    /**
     * Decides a blocked job whose dependencies may all have ended; empty when it is not blocked or still waits.
     * The job's row is locked first, so two parents ending at once on two nodes decide it one after the other.
     */
    Optional<Released> evaluate(Transactions.Tx tx, long id) throws SQLException {
        Connection c = tx.connection();
        String payload;
        String context;
        long batchId;
        int dependents;
        boolean later;
        try (PreparedStatement select = c.prepareStatement("SELECT state, payload, context, batch_id, dependents,"
                + " run_at > LOCALTIMESTAMP(6) FROM queue_job WHERE id = ? FOR UPDATE")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != JobState.BLOCKED.code()) {
                    return Optional.empty();
                }
                payload = rs.getString(2);
                context = rs.getString(3);
                batchId = rs.getLong(4);
                dependents = rs.getInt(5);
                later = rs.getBoolean(6);
            }
        }
        List<Parent> parents = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT d.name, d.policy, p.state, p.output"
                + " FROM queue_dependency d LEFT JOIN queue_job p ON p.id = d.parent_id WHERE d.job_id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Integer state = rs.getObject(3) == null ? null : rs.getInt(3);
                    parents.add(new Parent(rs.getString(1), rs.getInt(2), state == null ? null
                            : JobState.ofCode(state), rs.getString(4)));
                }
            }
        }
        if (parents.stream().anyMatch(p -> p.state() != null && !p.state().isFinal())) {
            return Optional.empty();
        }
        String failure = null;
        String skip = null;
        Map<String, String> outputs = new HashMap<>();
        for (Parent p : parents) {
            outputs.put(p.name(), p.output());
            if (p.state() == JobState.DONE || p.policy() == CONTINUE) {
                continue;
            }
            String why = "dependency " + p.name() + (p.state() == null ? " was deleted" : " " + p.state().label());
            if (p.policy() == SKIP) {
                skip = skip == null ? why : skip;
            } else {
                failure = failure == null ? why : failure;
            }
        }
        JsonObject job = Json.parse(payload);
        if (failure == null && skip == null) {
            try {
                return Optional.of(release(tx, id, ParentOutputs.apply(job, outputs), later));
            } catch (IllegalArgumentException e) {
                failure = e.getMessage();
            }
        }
        JobState end = failure != null ? JobState.FAILED : JobState.CANCELLED;
        String error = failure != null ? failure : "skipped: " + skip;
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = ?, error = ?,"
                + " time_completed = LOCALTIMESTAMP(6) WHERE id = ?")) {
            update.setInt(1, end.code());
            update.setString(2, Texts.error(error));
            update.setLong(3, id);
            update.executeUpdate();
        }
        tx.counts().moved(JobState.BLOCKED, JobState.BLOCKED.moveTo(end), 1);
        boolean callbacks = end == JobState.FAILED
                && outbox.record(c, id, context, job, JobState.FAILED, Outcome.failed(error));
        return Optional.of(new Released(new End(id, end, batchId, dependents), callbacks));
    }

    private static Released release(Transactions.Tx tx, long id, JsonObject job, boolean later) throws SQLException {
        JobState next = JobState.BLOCKED.moveTo(later ? JobState.SCHEDULED : JobState.WAITING);
        try (PreparedStatement update = tx.connection().prepareStatement(
                "UPDATE queue_job SET state = ?, payload = ? WHERE id = ?")) {
            update.setInt(1, next.code());
            update.setString(2, job.toString());
            update.setLong(3, id);
            update.executeUpdate();
        }
        tx.counts().moved(JobState.BLOCKED, next, 1);
        return new Released(null, false);
    }

    /**
     * Blocked jobs whose dependencies have all ended, at most {@code limit}: what a parent's end did not release
     * (a dependency added while the parent ran).
     */
    static List<Long> overdue(Connection c, int limit) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT c.id FROM queue_job c WHERE c.state = "
                + JobState.BLOCKED.code() + " AND NOT EXISTS (SELECT 1 FROM queue_dependency d JOIN queue_job p"
                + " ON p.id = d.parent_id WHERE d.job_id = c.id AND p.state IN (" + unfinished() + ")) LIMIT " + limit);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static String unfinished() {
        return java.util.Arrays.stream(JobState.values()).filter(s -> !s.isFinal())
                .map(s -> Integer.toString(s.code())).collect(Collectors.joining(","));
    }
}
