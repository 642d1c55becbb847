package io.queueserver.store;

import io.queueserver.core.KeyRetry;
import io.queueserver.core.LimitBook;
import io.queueserver.core.LimitRule;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flow-control rules in {@code queue_limit}, shared by every node. Each node reads them again at most every
 * {@value #REFRESH_MILLIS} ms when it claims, and at once after a change made through it, so a change takes effect
 * on all nodes within a second, with no restart.
 */
@ApplicationScoped
public class Limits {
    static final long REFRESH_MILLIS = 500;

    @Inject
    Transactions transactions;

    private volatile LimitBook book = LimitBook.EMPTY;
    private volatile long readAt;

    /** The rules as of at most {@value #REFRESH_MILLIS} ms ago. */
    public LimitBook book() throws SQLException {
        if (System.nanoTime() - readAt > REFRESH_MILLIS * 1_000_000L || readAt == 0) {
            reload();
        }
        return book;
    }

    /**
     * The rules as last read, without reading them again: for submits, which must be answered within their deadline
     * even while the database is away. The dispatcher's tick keeps them fresh.
     */
    public LimitBook cached() {
        return book;
    }

    private synchronized void reload() throws SQLException {
        long at = System.nanoTime();
        List<LimitRule> rules = transactions.run(tx -> read(tx.connection()));
        book = new LimitBook(rules);
        readAt = at;
    }

    static List<LimitRule> read(Connection c) throws SQLException {
        List<LimitRule> rules = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT limit_key, concurrency, rates, burst, paused,"
                + " max_backlog, weight, retry_policy FROM queue_limit");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                rules.add(new LimitRule(rs.getString(1), rs.getObject(2, Integer.class), rates(rs.getString(3)),
                        rs.getObject(4, Integer.class), rs.getInt(5) != 0, rs.getObject(6, Long.class),
                        rs.getObject(7, Integer.class), KeyRetry.stored(rs.getString(8))));
            }
        }
        return rules;
    }

    private static List<LimitRule.Rate> rates(String text) {
        return text == null || text.isBlank() ? List.of()
                : Arrays.stream(text.split(",")).map(t -> LimitRule.Rate.parse(t).orElseThrow()).toList();
    }

    /** Creates or replaces the rule of its key; its buckets start full again. */
    public void put(LimitRule rule) throws SQLException {
        transactions.run(tx -> {
            write(tx.connection(), rule, true);
            RateBuckets.forget(tx.connection(), rule.key());
            return null;
        });
        reload();
    }

    /** Stores the rules whose keys have none yet (nodes starting together may race: the first one's stays). */
    public int addMissing(List<LimitRule> rules) throws SQLException {
        int added = 0;
        for (LimitRule rule : rules) {
            added += transactions.run(tx -> write(tx.connection(), rule, false));
        }
        reload();
        return added;
    }

    /** One upsert, so that concurrent writers of one key never collide; returns 1 when a row was added. */
    static int write(Connection c, LimitRule rule, boolean replace) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement("INSERT INTO queue_limit (limit_key, concurrency, rates,"
                + " burst, paused, max_backlog, weight, retry_policy, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
                + " LOCALTIMESTAMP(6)) ON DUPLICATE KEY UPDATE " + (replace ? "concurrency = VALUES(concurrency),"
                + " rates = VALUES(rates), burst = VALUES(burst), paused = VALUES(paused),"
                + " max_backlog = VALUES(max_backlog), weight = VALUES(weight), retry_policy = VALUES(retry_policy),"
                + " updated_at = VALUES(updated_at)" : "limit_key = limit_key"))) {
            upsert.setString(1, rule.key());
            upsert.setObject(2, rule.concurrency(), Types.INTEGER);
            upsert.setString(3, rule.ratesText());
            upsert.setObject(4, rule.burst(), Types.INTEGER);
            upsert.setInt(5, rule.paused() ? 1 : 0);
            upsert.setObject(6, rule.maxBacklog(), Types.BIGINT);
            upsert.setObject(7, rule.weight(), Types.INTEGER);
            upsert.setString(8, rule.retry() == null ? null : rule.retry().policy().toString());
            return upsert.executeUpdate() == 1 ? 1 : 0;
        }
    }

    /** Returns whether there was a rule of that key. */
    public boolean delete(String key) throws SQLException {
        boolean deleted = transactions.run(tx -> {
            try (PreparedStatement delete = tx.connection().prepareStatement("DELETE FROM queue_limit WHERE limit_key = ?")) {
                delete.setString(1, key);
                boolean gone = delete.executeUpdate() > 0;
                RateBuckets.forget(tx.connection(), key);
                return gone;
            }
        });
        reload();
        return deleted;
    }

    /** Pauses or resumes a key, pattern, context or the whole queue; a key without a rule gets one. */
    public LimitRule pause(String key, boolean paused) throws SQLException {
        LimitRule rule = transactions.run(tx -> {
            Optional<LimitRule> current = read(tx.connection()).stream().filter(r -> r.key().equals(key)).findFirst();
            return current.orElse(LimitRule.none(key)).withPaused(paused);
        });
        put(rule);
        return rule;
    }

    /**
     * Why a waiting job of this key (and context and target host) does not run now, in words; empty when no rule
     * holds it back.
     */
    public List<String> holding(String concurrencyKey, String context, String host) throws SQLException {
        LimitBook rules = book();
        List<String> reasons = new ArrayList<>();
        if (rules.queuePaused()) {
            reasons.add("the queue is paused");
        }
        if (context != null && rules.pausedContexts().contains(context)) {
            reasons.add("context `" + context + "` is paused");
        }
        List<LimitRule> applying = new ArrayList<>(rules.forKey(concurrencyKey));
        rules.forHost(host).ifPresent(applying::add);
        if (applying.isEmpty()) {
            return reasons;
        }
        int running = running(concurrencyKey);
        List<RateBuckets.Bucket> buckets = new ArrayList<>();
        for (LimitRule rule : applying) {
            String subject = rule.kind() == LimitRule.Kind.HOST ? host : concurrencyKey;
            rule.rates().forEach(rate -> buckets.add(RateBuckets.Bucket.of(rule, rate, subject)));
        }
        Map<String, Double> tokens = transactions.run(tx -> RateBuckets.peek(tx.connection(), buckets));
        for (LimitRule rule : applying) {
            if (rule.paused()) {
                reasons.add("key `" + rule.key() + "` is paused");
            }
            if (rule.concurrency() != null && running >= rule.concurrency()) {
                reasons.add("key `" + rule.key() + "` at its limit " + running + "/" + rule.concurrency());
            }
        }
        for (RateBuckets.Bucket b : buckets) {
            if (tokens.get(b.key()) < 1) {
                reasons.add("rate limit `" + b.rule().key() + "` " + b.rate().text());
            }
        }
        return reasons;
    }

    private int running(String concurrencyKey) throws SQLException {
        return transactions.run(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement("SELECT COUNT(*) FROM queue_job"
                    + " WHERE state = 1 AND concurrency_key = ?")) {
                select.setString(1, concurrencyKey);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    /** A key with waiting or running jobs; {@code waiting} is counted up to {@value #KEY_COUNT_CAP}. */
    public record ActiveKey(String key, long waiting, long running) {
    }

    static final int KEY_COUNT_CAP = 10_000;

    /** Up to {@code limit} keys with waiting or running jobs (one index entry per key to find them), with counts. */
    public List<ActiveKey> activeKeys(int limit) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            java.util.Set<String> keys = new java.util.TreeSet<>();
            for (int state : new int[] {0, 1}) {
                try (PreparedStatement select = c.prepareStatement("SELECT concurrency_key FROM queue_job WHERE state = "
                        + state + " GROUP BY concurrency_key ORDER BY concurrency_key LIMIT " + limit);
                     ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            }
            List<ActiveKey> active = new ArrayList<>();
            try (PreparedStatement waiting = c.prepareStatement("SELECT COUNT(*) FROM (SELECT 1 FROM queue_job"
                    + " WHERE state = 0 AND concurrency_key = ? LIMIT " + KEY_COUNT_CAP + ") t");
                 PreparedStatement running = c.prepareStatement("SELECT COUNT(*) FROM queue_job"
                    + " WHERE state = 1 AND concurrency_key = ?")) {
                for (String key : keys.stream().limit(limit).toList()) {
                    active.add(new ActiveKey(key, count(waiting, key), count(running, key)));
                }
            }
            return active;
        });
    }

    private static long count(PreparedStatement select, String key) throws SQLException {
        select.setString(1, key);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** Jobs of a concurrency key waiting or scheduled, counted up to {@code cap} (an index range, never more rows). */
    public long backlog(String concurrencyKey, long cap) throws SQLException {
        return transactions.run(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement("SELECT COUNT(*) FROM (SELECT 1 FROM"
                    + " queue_job WHERE state IN (0, 5) AND concurrency_key = ? LIMIT ?) t")) {
                select.setString(1, concurrencyKey);
                select.setLong(2, cap);
                try (ResultSet rs = select.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /**
     * Waiting (up to {@value #KEY_COUNT_CAP}) and running jobs of the keys a key or pattern rule names, read from the
     * claim index; null for rules of other kinds.
     */
    public long[] waitingAndRunning(LimitRule rule) throws SQLException {
        if (rule.kind() != LimitRule.Kind.KEY && rule.kind() != LimitRule.Kind.PATTERN) {
            return null;
        }
        String condition = rule.kind() == LimitRule.Kind.KEY ? "concurrency_key = ?" : "concurrency_key LIKE ? ESCAPE '!'";
        String value = rule.kind() == LimitRule.Kind.KEY ? rule.key()
                : Texts.likeLiteral(rule.name()) + "%";
        return transactions.run(tx -> {
            try (PreparedStatement waiting = tx.connection().prepareStatement("SELECT COUNT(*) FROM (SELECT 1 FROM"
                    + " queue_job WHERE state = 0 AND " + condition + " LIMIT " + KEY_COUNT_CAP + ") t");
                 PreparedStatement running = tx.connection().prepareStatement("SELECT COUNT(*) FROM queue_job"
                    + " WHERE state = 1 AND " + condition)) {
                return new long[] {count(waiting, value), count(running, value)};
            }
        });
    }
}
