package io.queueserver.store;

import io.queueserver.core.LimitRule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Token buckets of the rate limits in {@code queue_bucket}, one row per rule and rate (and per key for a pattern's
 * rate), shared by all nodes: a claim locks the rows it needs (in key order), refills them for the time passed on the
 * database clock, takes what it starts and writes the rest back in the same transaction.
 */
final class RateBuckets {
    private RateBuckets() {
    }

    /** One bucket: its row key, how many tokens it holds at most, and how fast it refills. */
    record Bucket(String key, double capacity, double perSecond, LimitRule rule, LimitRule.Rate rate) {
        static Bucket of(LimitRule rule, LimitRule.Rate rate, String concurrencyKey) {
            String key = rule.key() + "|" + rate.text() + (rule.kind() == LimitRule.Kind.PATTERN ? "|" + concurrencyKey : "");
            return new Bucket(key, rule.capacity(rate), rate.perSecond(), rule, rate);
        }
    }

    /**
     * The tokens of locked buckets by bucket key, each as of the database time it was read at: written back with
     * that time, so the refill during the rest of the claim is not lost.
     */
    static final class Held {
        final Map<String, Double> tokens = new TreeMap<>();
        private final Map<String, String> asOf = new TreeMap<>();

        double get(String key) {
            return tokens.get(key);
        }

        void add(String key, double n) {
            tokens.merge(key, n, Double::sum);
        }
    }

    /** Locks the buckets (a missing one is created full) and adds their tokens now to {@code held}. */
    static void lock(Connection c, Collection<Bucket> buckets, Held held) throws SQLException {
        Map<String, Bucket> byKey = new TreeMap<>();
        buckets.forEach(b -> byKey.putIfAbsent(b.key(), b));
        Map<String, Double> tokens = new TreeMap<>();
        if (byKey.isEmpty()) {
            return;
        }
        read(c, byKey, tokens, held.asOf, " FOR UPDATE");
        if (tokens.size() < byKey.size()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_bucket (bucket_key, tokens, refilled_at)"
                    + " VALUES (?, ?, LOCALTIMESTAMP(6))")) {
                for (Bucket b : byKey.values()) {
                    if (!tokens.containsKey(b.key())) {
                        insert.setString(1, b.key());
                        insert.setDouble(2, b.capacity());
                        try {
                            insert.executeUpdate();
                        } catch (SQLIntegrityConstraintViolationException createdMeanwhile) {
                            // another node created it first: the read below locks that row
                        }
                    }
                }
            }
            read(c, byKey, tokens, held.asOf, " FOR UPDATE");
        }
        held.tokens.putAll(tokens);
    }

    /** The buckets' tokens now, without locking them (a bucket not yet used is full). */
    static Map<String, Double> peek(Connection c, Collection<Bucket> buckets) throws SQLException {
        Map<String, Bucket> byKey = new TreeMap<>();
        buckets.forEach(b -> byKey.putIfAbsent(b.key(), b));
        Map<String, Double> tokens = new TreeMap<>();
        if (!byKey.isEmpty()) {
            read(c, byKey, tokens, new TreeMap<>(), "");
        }
        byKey.values().forEach(b -> tokens.putIfAbsent(b.key(), b.capacity()));
        return tokens;
    }

    private static void read(Connection c, Map<String, Bucket> byKey, Map<String, Double> tokens,
                             Map<String, String> asOf, String lock) throws SQLException {
        String in = byKey.keySet().stream().map(k -> "?").collect(Collectors.joining(","));
        try (PreparedStatement select = c.prepareStatement("SELECT bucket_key, tokens,"
                + " TIMESTAMPDIFF(MICROSECOND, refilled_at, LOCALTIMESTAMP(6)), LOCALTIMESTAMP(6) FROM queue_bucket"
                + " WHERE bucket_key IN (" + in + ") ORDER BY bucket_key" + lock)) {
            int p = 1;
            for (String k : byKey.keySet()) {
                select.setString(p++, k);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Bucket b = byKey.get(rs.getString(1));
                    double refilled = rs.getDouble(2) + Math.max(0, rs.getLong(3)) / 1e6 * b.perSecond();
                    tokens.put(b.key(), Math.min(b.capacity(), refilled));
                    asOf.put(b.key(), rs.getString(4));
                }
            }
        }
    }

    /** Writes the held buckets' tokens back, each as of the time it was read. */
    static void store(Connection c, Held held) throws SQLException {
        if (held.tokens.isEmpty()) {
            return;
        }
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_bucket SET tokens = ?, refilled_at = ?"
                + " WHERE bucket_key = ?")) {
            for (var e : held.tokens.entrySet()) {
                update.setDouble(1, e.getValue());
                update.setString(2, held.asOf.get(e.getKey()));
                update.setString(3, e.getKey());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /** Drops the buckets of a rule that changed or went: its rates start full again. */
    static void forget(Connection c, String ruleKey) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM queue_bucket WHERE bucket_key LIKE ? ESCAPE '!'")) {
            delete.setString(1, Texts.likeLiteral(ruleKey) + "|%");
            delete.executeUpdate();
        }
    }
}
