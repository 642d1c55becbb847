package io.queueserver.store;

import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Batches: their rows, and the bookkeeping of their jobs' ends. A job counts as settled the first time it reaches a
 * final state; {@code on_failure} fires at the first job that fails for good, {@code on_complete} when every job of a
 * closed batch has settled, {@code on_success} when every one is done. Each is written to the callback outbox in the
 * transaction that makes it true, under the batch row's lock, and marked fired there: exactly once.
 */
@ApplicationScoped
public class Batches {
    static final List<String> EVENTS = List.of("on_success", "on_complete", "on_failure");

    /** A batch as stored. */
    public record Batch(long id, String kind, String context, boolean open, int total, int settled, int done,
                        int failed, JsonObject callbacks, String createdAt, String closedAt, String successAt,
                        String completeAt, String failureAt) {
    }

    /** Inserts a batch row and returns its id. */
    static long create(Connection c, String kind, String context, boolean open, JsonObject callbacks)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_batch (kind, context, is_open, total,"
                + " callbacks, created_at, closed_at) VALUES (?, ?, ?, 0, ?, LOCALTIMESTAMP(6), "
                + (open ? "NULL" : "LOCALTIMESTAMP(6)") + ")", Statement.RETURN_GENERATED_KEYS)) {
            insert.setString(1, kind);
            insert.setString(2, context);
            insert.setInt(3, open ? 1 : 0);
            insert.setString(4, callbacks.toString());
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    /** The batch, locked; empty when there is none. */
    static Optional<Batch> lock(Connection c, long id) throws SQLException {
        return read(c, id, " FOR UPDATE");
    }

    private static final String SELECT = "SELECT id, kind, context, is_open, total, settled, done, failed, callbacks,"
            + " created_at, closed_at, success_at, complete_at, failure_at FROM queue_batch";

    static Optional<Batch> read(Connection c, long id, String lock) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE id = ?" + lock)) {
            select.setLong(1, id);
            return rows(select).stream().findFirst();
        }
    }

    /** The batches with these ids, in id order. */
    static List<Batch> read(Connection c, Collection<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        try (PreparedStatement select = c.prepareStatement(SELECT + " WHERE id IN (" + list(ids) + ") ORDER BY id")) {
            return rows(select);
        }
    }

    /**
     * At most {@code limit} batches with ids below {@code cursor} (all when null), of these contexts (any when
     * empty), newest first: the primary key read backwards.
     */
    static List<Batch> newest(Connection c, Long cursor, Set<String> within, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder(SELECT + " WHERE 1 = 1");
        if (cursor != null) {
            sql.append(" AND id < ?");
        }
        if (!within.isEmpty()) {
            sql.append(" AND context IN (").append(String.join(", ", Collections.nCopies(within.size(), "?")))
                    .append(")");
        }
        try (PreparedStatement select = c.prepareStatement(sql.append(" ORDER BY id DESC LIMIT ").append(limit)
                .toString())) {
            int i = 1;
            if (cursor != null) {
                select.setLong(i++, cursor);
            }
            for (String context : within) {
                select.setString(i++, context);
            }
            return rows(select);
        }
    }

    private static List<Batch> rows(PreparedStatement select) throws SQLException {
        List<Batch> batches = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                batches.add(new Batch(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4) == 1,
                        rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), Json.parse(rs.getString(9)),
                        rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14)));
            }
        }
        return batches;
    }

    private static String list(Collection<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    static void added(Connection c, long id, int jobs) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_batch SET total = total + ? WHERE id = ?")) {
            update.setInt(1, jobs);
            update.setLong(2, id);
            update.executeUpdate();
        }
    }

    /** Closes the batch; a batch whose jobs have all settled completes now. Returns whether a callback was written. */
    static boolean close(Connection c, long id) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_batch SET is_open = 0,"
                + " closed_at = LOCALTIMESTAMP(6) WHERE id = ? AND is_open = 1")) {
            update.setLong(1, id);
            update.executeUpdate();
        }
        return fire(c, lock(c, id).orElseThrow(), 0, false);
    }

    /**
     * Counts the ends of jobs of batch {@code batchId} ({@code ends}: job id to its final state, rows locked by the
     * caller) and fires the callbacks they make due. Returns whether a callback was written.
     */
    static boolean settle(Connection c, long batchId, Map<Long, JobState> ends) throws SQLException {
        String ids = list(ends.keySet());
        int settled = 0;
        int failedOnce = 0;
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM queue_job WHERE id IN (" + ids
                + ") AND batch_settled = 0");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                settled++;
                failedOnce += ends.get(rs.getLong(1)) == JobState.DONE ? 0 : 1;
            }
        }
        if (settled > 0) {
            try (PreparedStatement mark = c.prepareStatement("UPDATE queue_job SET batch_settled = 1 WHERE id IN ("
                    + ids + ")")) {
                mark.executeUpdate();
            }
        }
        int done = (int) ends.values().stream().filter(s -> s == JobState.DONE).count();
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_batch SET settled = settled + ?,"
                + " done = done + ?, failed = failed + ? WHERE id = ?")) {
            update.setInt(1, settled);
            update.setInt(2, done);
            update.setInt(3, failedOnce);
            update.setLong(4, batchId);
            if (update.executeUpdate() == 0) {
                return false; // the batch is gone
            }
        }
        boolean anyFailed = ends.values().stream().anyMatch(s -> s == JobState.FAILED);
        long failedJob = ends.entrySet().stream().filter(e -> e.getValue() == JobState.FAILED).mapToLong(Map.Entry::getKey)
                .findFirst().orElse(0);
        return fire(c, lock(c, batchId).orElseThrow(), failedJob, anyFailed);
    }

    /** Writes the callbacks that have become due and marks them fired. */
    private static boolean fire(Connection c, Batch b, long failedJob, boolean failedNow) throws SQLException {
        boolean wrote = false;
        if (failedNow && b.failureAt() == null) {
            wrote |= fired(c, b, "on_failure", "failure", "failure_at", failedJob);
        }
        if (!b.open() && b.settled() >= b.total() && b.completeAt() == null) {
            wrote |= fired(c, b, "on_complete", "complete", "complete_at", 0);
        }
        if (!b.open() && b.done() >= b.total() && b.successAt() == null) {
            wrote |= fired(c, b, "on_success", "success", "success_at", 0);
        }
        return wrote;
    }

    private static boolean fired(Connection c, Batch b, String event, String state, String column, long failedJob)
            throws SQLException {
        try (PreparedStatement mark = c.prepareStatement("UPDATE queue_batch SET " + column
                + " = LOCALTIMESTAMP(6) WHERE id = ? AND " + column + " IS NULL")) {
            mark.setLong(1, b.id());
            if (mark.executeUpdate() == 0) {
                return false;
            }
        }
        JsonValue command = b.callbacks().get(event);
        if (!(command instanceof JsonObject)) {
            return false;
        }
        JsonObjectBuilder body = Json.createObjectBuilder().add("batch", b.id()).add("kind", b.kind())
                .add("event", state).add("state", state).add("context", b.context()).add("total", b.total())
                .add("settled", b.settled()).add("done", b.done()).add("failed", b.failed());
        if (failedJob > 0) {
            body.add("failed_job", failedJob);
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_callback (job_id, batch_id, kind, state,"
                + " webhook_id, command, body, next_at, time_added)"
                + " VALUES (?, ?, ?, 0, ?, ?, ?, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
            insert.setLong(1, failedJob);
            insert.setLong(2, b.id());
            insert.setString(3, "batch_" + state);
            insert.setString(4, "msg_" + UUID.randomUUID().toString().replace("-", ""));
            insert.setString(5, command.toString().replace("__BATCHID__", Long.toString(b.id())));
            insert.setString(6, body.build().toString());
            insert.executeUpdate();
        }
        return true;
    }

    /** Jobs of each batch per state, from the index (batch_id, state); a batch without jobs is left out. */
    static Map<Long, Map<JobState, Long>> states(Connection c, Collection<Long> ids) throws SQLException {
        Map<Long, Map<JobState, Long>> states = new HashMap<>();
        if (ids.isEmpty()) {
            return states;
        }
        try (PreparedStatement select = c.prepareStatement("SELECT batch_id, state, COUNT(*) FROM queue_job"
                + " WHERE batch_id IN (" + list(ids) + ") GROUP BY batch_id, state");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                states.computeIfAbsent(rs.getLong(1), b -> new EnumMap<>(JobState.class))
                        .put(JobState.ofCode(rs.getInt(2)), rs.getLong(3));
            }
        }
        return states;
    }
}
