package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.InvalidField;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.LimitRule;
import io.queueserver.core.RedriveFilter;
import io.queueserver.core.RedriveRequest;
import io.queueserver.core.TimeText;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;

/**
 * Redrives in {@code queue_redrive}: the failed jobs that match a filter go back to waiting, as a retry puts them
 * ({@link JobMoves#REQUEUE}), at most at the redrive's rate. It covers the jobs that had failed when it was created
 * (ids up to the newest job then, failed by then), in id order. Any node may work on a running redrive: a batch
 * locks its row ({@code SKIP LOCKED}: a node never waits for another), takes tokens from its bucket
 * ({@link RateBuckets}, on the database clock), moves the next jobs and writes how far it got in the same
 * transaction, so a node that dies loses nothing and no job is redriven twice.
 */
@ApplicationScoped
public class Redrives {
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String CANCELLED = "cancelled";
    static final int MAX_BATCH = 500;
    /** Job ids one batch looks through at most, so a filter that few jobs match never reads the table in one go. */
    static final long SCAN_WINDOW = 100_000;
    /** The bucket holds this many seconds of tokens: a late batch catches up a little, no more. */
    static final double BURST_SECONDS = 0.2;
    private static final int FAILED = JobState.FAILED.code();
    private static final String COLUMNS = "SELECT id, state, filter_json, rate, override_json, matched, redriven,"
            + " skipped, last_job_id, max_job_id, created_by, created_at, finished_at, error FROM queue_redrive";
    private static final TimeText TIMES = new TimeText();

    @Inject
    Transactions transactions;

    /** A redrive as stored; {@code override} with its secrets sealed. */
    public record Redrive(long id, String state, JsonObject filter, String rate, JsonObject override, long matched,
                          long redriven, long skipped, long lastJobId, long maxJobId, String createdBy,
                          LocalDateTime createdAt, LocalDateTime finishedAt, String error) {
        LimitRule.Rate parsedRate() {
            return LimitRule.Rate.parse(rate).orElseThrow();
        }

        String createdAtText() {
            return (String) TIMES.convertToDatabaseColumn(createdAt);
        }
    }

    /** What one batch did: how many jobs it moved back to waiting, and whether the redrive is done now. */
    public record Batch(int redriven, boolean finished) {
        static final Batch NONE = new Batch(0, false);
    }

    /**
     * Stores a redrive of the failed jobs that match now, counted into {@code matched}; one that matches none is done
     * at once. {@code override} is the request's, its secrets sealed.
     */
    public Redrive create(RedriveRequest request, JsonObject override, String createdBy) throws SQLException {
        long id = transactions.run(tx -> {
            Connection c = tx.connection();
            long maxId;
            String now;
            try (PreparedStatement select = c.prepareStatement("SELECT COALESCE(MAX(id), 0), LOCALTIMESTAMP(6) FROM queue_job");
                 ResultSet rs = select.executeQuery()) {
                rs.next();
                maxId = rs.getLong(1);
                now = rs.getString(2);
            }
            long matched = count(c, request.filter(), maxId, now);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_redrive (state, filter_json, rate,"
                    + " override_json, matched, last_job_id, max_job_id, created_by, created_at, finished_at)"
                    + " VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, matched == 0 ? DONE : RUNNING);
                insert.setString(2, request.filter().json().toString());
                insert.setString(3, request.rate().text());
                insert.setString(4, override == null ? null : override.toString());
                insert.setLong(5, matched);
                insert.setLong(6, maxId);
                insert.setString(7, Texts.cut(createdBy, 200));
                insert.setString(8, now);
                insert.setString(9, matched == 0 ? now : null);
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        return find(id).orElseThrow();
    }

    public Optional<Redrive> find(long id) throws SQLException {
        return transactions.run(tx -> read(tx.connection(), COLUMNS + " WHERE id = ?", id)).stream().findFirst();
    }

    /** The newest redrives first. */
    public List<Redrive> list(int limit) throws SQLException {
        return transactions.run(tx -> read(tx.connection(), COLUMNS + " ORDER BY id DESC LIMIT " + limit));
    }

    /** The ids of the running redrives. */
    public List<Long> running() throws SQLException {
        return transactions.run(tx -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement select = tx.connection().prepareStatement("SELECT id FROM queue_redrive"
                    + " WHERE state = ? ORDER BY id")) {
                select.setString(1, RUNNING);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /** Stops a running redrive after the batch under way; returns the state it was in, or empty when unknown. */
    public Optional<String> cancel(long id) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<String> state = Optional.empty();
            try (PreparedStatement select = c.prepareStatement("SELECT state FROM queue_redrive WHERE id = ? FOR UPDATE")) {
                select.setLong(1, id);
                try (ResultSet rs = select.executeQuery()) {
                    if (rs.next()) {
                        state = Optional.of(rs.getString(1));
                    }
                }
            }
            if (state.isPresent() && state.get().equals(RUNNING)) {
                end(c, id, CANCELLED);
            }
            return state;
        });
    }

    /**
     * One batch of a running redrive, unless another node works on it right now: as many of the next matching jobs
     * as its tokens allow. {@code rewrite} applies the override to a job's payload; a job it refuses
     * ({@link InvalidField}) stays failed and is counted as skipped.
     */
    public Batch step(long id, BinaryOperator<JsonObject> rewrite) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            List<Redrive> locked = read(c, COLUMNS + " WHERE id = ? AND state = ? FOR UPDATE SKIP LOCKED", id, RUNNING);
            if (locked.isEmpty()) {
                return Batch.NONE;
            }
            Redrive r = locked.get(0);
            RateBuckets.Bucket bucket = bucket(r);
            RateBuckets.Held tokens = new RateBuckets.Held();
            RateBuckets.lock(c, List.of(bucket), tokens);
            int allowed = (int) Math.min(MAX_BATCH, Math.floor(tokens.get(bucket.key())));
            if (allowed < 1) {
                return Batch.NONE;
            }
            RedriveFilter filter = RedriveFilter.parse(r.filter(), "filter");
            long upTo = Math.min(r.maxJobId(), r.lastJobId() + SCAN_WINDOW);
            List<Object> values = new ArrayList<>(List.of(r.lastJobId(), upTo));
            boolean payloads = filter.host() != null || r.override() != null;
            String where = where(filter, r.createdAtText(), values);
            List<Long> ids = new ArrayList<>();
            List<String> rewritten = new ArrayList<>();
            int skipped = 0;
            String error = null;
            long last = upTo;
            try (PreparedStatement select = c.prepareStatement("SELECT id" + (payloads ? ", payload" : "")
                    + " FROM queue_job WHERE state = " + FAILED + " AND id > ? AND id <= ?" + where
                    + " ORDER BY id LIMIT " + allowed + " FOR UPDATE")) {
                bind(select, values);
                int rows = 0;
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        long jobId = rs.getLong(1);
                        last = rows == allowed ? jobId : last;
                        JsonObject job = payloads ? Json.parse(rs.getString(2)) : null;
                        if (filter.host() != null && !filter.host().equals(Claim.targetHost(job))) {
                            continue;
                        }
                        if (r.override() == null) {
                            ids.add(jobId);
                            continue;
                        }
                        try {
                            rewritten.add(rewrite.apply(r.override(), job).toString());
                            ids.add(jobId);
                        } catch (InvalidField refused) {
                            skipped++;
                            error = "job " + jobId + " not redriven: " + refused.field() + " " + refused.getMessage();
                        }
                    }
                }
            }
            int moved = requeue(c, ids, r.override() == null ? null : rewritten);
            tx.counts().moved(JobState.FAILED, JobState.WAITING, moved);
            tokens.add(bucket.key(), -moved);
            RateBuckets.store(c, tokens);
            boolean finished = last >= r.maxJobId();
            try (PreparedStatement update = c.prepareStatement("UPDATE queue_redrive SET last_job_id = ?,"
                    + " redriven = redriven + ?, skipped = skipped + ?, error = COALESCE(?, error) WHERE id = ?")) {
                update.setLong(1, last);
                update.setLong(2, moved);
                update.setLong(3, skipped);
                update.setString(4, Texts.error(error));
                update.setLong(5, id);
                update.executeUpdate();
            }
            if (finished) {
                end(c, id, DONE);
            }
            return new Batch(moved, finished);
        });
    }

    /**
     * Failed jobs back to waiting, with their rewritten payloads when given; returns how many moved. Statement by
     * statement, not batched: the count must be exact for the state counts, and a rewritten batch may not tell it.
     */
    private static int requeue(Connection c, List<Long> ids, List<String> payloads) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        JobState.FAILED.moveTo(JobState.WAITING);
        String requeue = "UPDATE queue_job SET " + JobMoves.REQUEUE;
        if (payloads == null) {
            try (PreparedStatement update = c.prepareStatement(requeue + " WHERE id IN (" + ids.stream()
                    .map(String::valueOf).collect(java.util.stream.Collectors.joining(",")) + ") AND state = " + FAILED)) {
                return update.executeUpdate();
            }
        }
        int moved = 0;
        try (PreparedStatement update = c.prepareStatement(requeue + ", payload = ? WHERE id = ? AND state = " + FAILED)) {
            for (int i = 0; i < ids.size(); i++) {
                update.setString(1, payloads.get(i));
                update.setLong(2, ids.get(i));
                moved += update.executeUpdate();
            }
        }
        return moved;
    }

    private static void end(Connection c, long id, String state) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_redrive SET state = ?,"
                + " finished_at = LOCALTIMESTAMP(6) WHERE id = ?")) {
            update.setString(1, state);
            update.setLong(2, id);
            update.executeUpdate();
        }
        RateBuckets.forget(c, bucketRule(id));
    }

    /**
     * The pacing bucket of a redrive. Its key starts with {@code *}, which no rule's key can (a {@code *} only ends
     * a pattern), so no rule change ever touches it.
     */
    private static RateBuckets.Bucket bucket(Redrive r) {
        LimitRule.Rate rate = r.parsedRate();
        return new RateBuckets.Bucket(bucketRule(r.id()) + "|" + rate.text(),
                Math.max(1, rate.perSecond() * BURST_SECONDS), rate.perSecond(), null, rate);
    }

    private static String bucketRule(long id) {
        return "*redrive:" + id;
    }

    /** The failed jobs that matched the filter when the redrive was created, up to {@code maxId}. */
    static long count(Connection c, RedriveFilter filter, long maxId, String createdAt) throws SQLException {
        List<Object> values = new ArrayList<>(List.of(maxId));
        String where = where(filter, createdAt, values);
        String sql = filter.host() == null ? "SELECT COUNT(*)" : "SELECT payload";
        try (PreparedStatement select = c.prepareStatement(sql + " FROM queue_job WHERE state = " + FAILED
                + " AND id <= ?" + where)) {
            bind(select, values);
            try (ResultSet rs = select.executeQuery()) {
                if (filter.host() == null) {
                    return rs.next() ? rs.getLong(1) : 0;
                }
                long n = 0;
                while (rs.next()) {
                    n += filter.host().equals(Claim.targetHost(Json.parse(rs.getString(1)))) ? 1 : 0;
                }
                return n;
            }
        }
    }

    /**
     * The filter's conditions on a failed job besides its ids, appending their values: failed by the redrive's
     * creation, and each field given. A host is first looked for in the payload's text; the caller checks the
     * url's host itself.
     */
    private static String where(RedriveFilter f, String createdAt, List<Object> values) {
        StringBuilder sql = new StringBuilder(" AND time_completed <= ?");
        values.add(createdAt);
        if (f.context() != null) {
            sql.append(" AND context = ?");
            values.add(f.context());
        }
        if (f.concurrencyKey() != null) {
            sql.append(" AND concurrency_key = ?");
            values.add(f.concurrencyKey());
        }
        if (f.error() != null) {
            sql.append(" AND LOWER(error) LIKE ? ESCAPE '!'");
            values.add("%" + Texts.likeLiteral(f.error().toLowerCase(java.util.Locale.ROOT)) + "%");
        }
        if (f.since() != null) {
            sql.append(" AND time_completed >= ?");
            values.add(TIMES.convertToDatabaseColumn(f.since()));
        }
        if (f.until() != null) {
            sql.append(" AND time_completed < ?");
            values.add(TIMES.convertToDatabaseColumn(f.until()));
        }
        if (f.host() != null) {
            sql.append(" AND LOWER(payload) LIKE ? ESCAPE '!'");
            values.add("%" + Texts.likeLiteral(f.host()) + "%");
        }
        return sql.toString();
    }

    private static void bind(PreparedStatement statement, List<Object> values) throws SQLException {
        for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v instanceof Long n) {
                statement.setLong(i + 1, n);
            } else {
                statement.setString(i + 1, (String) v);
            }
        }
    }

    private static List<Redrive> read(Connection c, String sql, Object... parameters) throws SQLException {
        List<Redrive> found = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            bind(select, List.of(parameters));
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    String override = rs.getString(5);
                    found.add(new Redrive(rs.getLong(1), rs.getString(2), Json.parse(rs.getString(3)), rs.getString(4),
                            override == null ? null : Json.parse(override), rs.getLong(6), rs.getLong(7), rs.getLong(8),
                            rs.getLong(9), rs.getLong(10), rs.getString(11), TimeText.of(rs.getObject(12)), TimeText.of(rs.getObject(13)),
                            rs.getString(14)));
                }
            }
        }
        return found;
    }
}
