package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.LimitBook;
import io.queueserver.core.LimitRule;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A claim under flow control. Keys with waiting jobs take turns, round-robin from where the last claim stopped
 * ({@code weight} jobs a turn, 1 by default), so a key with a million waiting jobs cannot hold back another key's one;
 * within a key, priority, then due time, then id decide. Paused keys, contexts and the whole queue start nothing.
 * <p>
 * A concurrency limit counts the key's running jobs, exactly across nodes: the claim first locks the rule's row, so
 * claims of that key take turns, and only then reads the running count (the transaction's snapshot starts after the
 * lock, so it sees what the previous claim committed). Rate limits take tokens from {@link RateBuckets}. Jobs held
 * back wait: they use no attempt. Without a rule that applies, a claim of one key is a single statement.
 */
public final class FlowClaim {
    static final int MAX_KEYS = 64;
    static final long NOT_HELD = -1;
    private static final int WAITING = JobState.WAITING.code();
    /** The claim of one key's jobs: the index {@code (state, concurrency_key, neg_priority, run_at, id)} in order. */
    public static final String ONE_KEY = Claimer.COLUMNS + " WHERE state = " + WAITING + " AND concurrency_key = ?"
            + Claimer.NOT_EXPIRED + " ORDER BY neg_priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";

    private FlowClaim() {
    }

    /**
     * The claims; when limits held jobs back, in how many ms to try again ({@link #NOT_HELD} if none); the last key
     * served; whether a claim into the reserve left keys waiting that it could not take whole.
     */
    record Round(List<Claim> claims, long retryInMillis, String lastKey, boolean keptReserve) {
        Round(List<Claim> claims, long retryInMillis, String lastKey) {
            this(claims, retryInMillis, lastKey, false);
        }
    }

    /**
     * The keys with waiting jobs, from just after the cursor round to it: at most two statements. Grouped by
     * {@code (state, concurrency_key)}, the claim index's first two columns, the query is a loose index scan in
     * MariaDB and MySQL, one dive per key ({@code EXPLAIN}: "Using index for group-by"); grouped by the key alone it
     * read every waiting job's entry (13 ms per 100,000 waiting jobs), and a statement per key cost a round trip each.
     */
    public static List<String> waitingKeys(Connection c, String cursor) throws SQLException {
        List<String> keys = new ArrayList<>();
        if (cursor != null) {
            keysInto(c, cursor, null, MAX_KEYS, keys);
        }
        if (keys.size() < MAX_KEYS) {
            keysInto(c, null, cursor, MAX_KEYS - keys.size(), keys);
        }
        return keys;
    }

    /** Up to {@code limit} keys after {@code after} (exclusive, or from the first) up to {@code upTo} (inclusive). */
    private static void keysInto(Connection c, String after, String upTo, int limit, List<String> keys)
            throws SQLException {
        try (PreparedStatement select = c.prepareStatement(keysQuery(after != null, upTo != null))) {
            int p = 1;
            if (after != null) {
                select.setString(p++, after);
            }
            if (upTo != null) {
                select.setString(p++, upTo);
            }
            select.setInt(p, limit);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(2));
                }
            }
        }
    }

    /** The keys query: keys after a first one (exclusive), up to a last one (inclusive), at most so many. */
    public static String keysQuery(boolean after, boolean upTo) {
        return "SELECT state, concurrency_key FROM queue_job WHERE state = " + WAITING
                + (after ? " AND concurrency_key > ?" : "") + (upTo ? " AND concurrency_key <= ?" : "")
                + " GROUP BY state, concurrency_key ORDER BY state, concurrency_key LIMIT ?";
    }

    /** A waiting job the claim may take: its key and its place in the key's order. */
    private record Candidate(long id, String key, int negPriority, String runAt, String host) {
    }

    /**
     * Claims up to {@code max} jobs of {@code keys} (in turn order) as {@link Claimer} does. When a rule throttles any
     * of the keys this must be the transaction's first work, so that its snapshot starts after the rule locks. Into
     * the {@code reserve}, only keys under no rule that pauses, counts or meters them, and whose waiting jobs the claim
     * takes whole.
     */
    static Round claim(Transactions.Tx tx, LimitBook book, List<String> keys, int max, boolean reserve, String owner,
                       long leaseMicros) throws SQLException {
        if (keys.isEmpty() || max <= 0) {
            return new Round(List.of(), NOT_HELD, null);
        }
        if (book.queuePaused()) {
            return new Round(List.of(), Limits.REFRESH_MILLIS, null);
        }
        Connection c = tx.connection();
        boolean keptReserve = false;
        if (reserve) { // like the claim beside a round, the reserve serves only keys that no rule pauses, counts or meters
            List<String> plainKeys = keys.stream().filter(key -> plain(book, key)).toList();
            keptReserve = plainKeys.size() < keys.size();
            keys = plainKeys;
            if (keys.isEmpty()) {
                return new Round(List.of(), NOT_HELD, null, keptReserve);
            }
        }
        boolean throttled = book.throttlesAny(keys);
        if (keys.size() == 1 && !reserve && plain(book, keys.get(0))) {
            return new Round(claimPlain(tx, book, keys, max, owner, leaseMicros), NOT_HELD, keys.get(0));
        }
        long[] retry = {NOT_HELD};
        Map<String, Integer> running = throttled ? lockAndCountRunning(c, book, keys) : Map.of();
        Map<String, List<RateBuckets.Bucket>> keyBuckets = new HashMap<>();
        Map<String, Integer> allowance = new LinkedHashMap<>();
        for (String key : keys) {
            int allow = max;
            for (LimitRule rule : book.forKey(key)) {
                if (rule.paused()) {
                    allow = 0;
                    held(retry, Limits.REFRESH_MILLIS);
                }
                if (rule.concurrency() != null) {
                    int left = rule.concurrency() - running.getOrDefault(key, 0);
                    if (left < max) { // the limit binds: jobs of the key may wait, and other nodes free slots too
                        held(retry, Limits.REFRESH_MILLIS);
                    }
                    allow = Math.min(allow, Math.max(0, left));
                }
                for (LimitRule.Rate rate : rule.rates()) {
                    keyBuckets.computeIfAbsent(key, k -> new ArrayList<>()).add(RateBuckets.Bucket.of(rule, rate, key));
                }
            }
            allowance.put(key, allow);
        }
        RateBuckets.Held tokens = new RateBuckets.Held();
        RateBuckets.lock(c, keyBuckets.values().stream().flatMap(List::stream).toList(), tokens);
        for (var e : keyBuckets.entrySet()) {
            for (RateBuckets.Bucket b : e.getValue()) {
                double t = tokens.get(b.key());
                if (t < max) { // the tokens bind: try again when the next one is due
                    held(retry, waitForToken(t - Math.floor(t), b));
                }
                allowance.merge(e.getKey(), (int) Math.floor(t), Math::min);
            }
        }
        int share = reserve ? max : Math.min(max, Math.max(4, (int) Math.ceil(2.0 * max / keys.size())));
        Map<String, Deque<Candidate>> candidates = candidates(c, book, allowance, share, reserve);
        for (var e : candidates.entrySet()) {
            if (reserve && e.getValue().size() > allowance.get(e.getKey())) {
                e.getValue().clear(); // more wait than the key may start now: it waits for a slot that is not the reserve
                keptReserve = true;
            }
        }
        Map<String, RateBuckets.Bucket> hostBuckets = hostBuckets(book, candidates);
        RateBuckets.lock(c, hostBuckets.values(), tokens);
        List<Candidate> chosen = takeTurns(book, keys, candidates, max, keyBuckets, hostBuckets, tokens, retry);
        List<Claim> claims = lockChosen(tx, chosen);
        Set<Long> claimed = claims.stream().map(Claim::id).collect(Collectors.toSet());
        for (Candidate skipped : chosen) {
            if (!claimed.contains(skipped.id())) { // taken by another node meanwhile: its tokens go back
                refund(skipped, keyBuckets, hostBuckets, tokens);
            }
        }
        RateBuckets.store(c, tokens);
        String last = chosen.isEmpty() ? null : chosen.get(chosen.size() - 1).key();
        return new Round(Claimer.markWorking(c, claims, owner, leaseMicros), retry[0], last, keptReserve);
    }

    /** Whether nothing pauses, counts or meters a key's jobs, so that the one-key statement may claim them. */
    static boolean plain(LimitBook book, String key) {
        return !book.queuePaused() && book.pausedContexts().isEmpty() && !book.throttlesAny(List.of(key))
                && book.forKey(key).stream().noneMatch(LimitRule::paused);
    }

    /**
     * Up to {@code max} jobs of keys that no claim round saw waiting, in key order; keys under a rule that pauses,
     * counts or meters them are left to the rounds.
     */
    static List<Claim> claimPlain(Transactions.Tx tx, LimitBook book, List<String> keys, int max, String owner,
                                  long leaseMicros) throws SQLException {
        List<Claim> claims = new ArrayList<>();
        for (String key : keys) {
            if (claims.size() < max && plain(book, key)) {
                claims.addAll(Claimer.select(tx, ONE_KEY, key, max - claims.size()));
            }
        }
        return Claimer.markWorking(tx.connection(), claims, owner, leaseMicros);
    }

    private static void held(long[] retry, long millis) {
        retry[0] = retry[0] == NOT_HELD ? millis : Math.min(retry[0], millis);
    }

    private static long waitForToken(double tokens, RateBuckets.Bucket b) {
        return Math.max(1, (long) Math.ceil((1 - tokens) / b.perSecond() * 1000));
    }

    /** Locks the rows of the concurrency rules that apply (in key order), then counts the keys' running jobs. */
    private static Map<String, Integer> lockAndCountRunning(Connection c, LimitBook book, List<String> keys)
            throws SQLException {
        Set<String> ruleKeys = new TreeSet<>();
        List<String> limited = new ArrayList<>();
        for (String key : keys) {
            List<LimitRule> rules = book.forKey(key).stream().filter(r -> r.concurrency() != null).toList();
            rules.forEach(r -> ruleKeys.add(r.key()));
            if (!rules.isEmpty()) {
                limited.add(key);
            }
        }
        Map<String, Integer> running = new HashMap<>();
        if (limited.isEmpty()) {
            return running;
        }
        try (PreparedStatement lock = c.prepareStatement("SELECT limit_key FROM queue_limit WHERE limit_key IN ("
                + marks(ruleKeys.size()) + ") ORDER BY limit_key FOR UPDATE")) {
            bind(lock, 1, ruleKeys);
            lock.executeQuery().close();
        }
        try (PreparedStatement count = c.prepareStatement("SELECT concurrency_key, COUNT(*) FROM queue_job WHERE state = "
                + JobState.WORKING.code() + " AND concurrency_key IN (" + marks(limited.size()) + ") GROUP BY concurrency_key")) {
            bind(count, 1, limited);
            try (ResultSet rs = count.executeQuery()) {
                while (rs.next()) {
                    running.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return running;
    }

    /**
     * Each key's next jobs in its order, as many as it may start (a few more than its share of the slots at most);
     * with {@code probe} one more, which shows whether more wait.
     */
    private static Map<String, Deque<Candidate>> candidates(Connection c, LimitBook book, Map<String, Integer> allowance,
                                                             int share, boolean probe) throws SQLException {
        Map<String, Deque<Candidate>> byKey = new LinkedHashMap<>();
        List<String> asked = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        allowance.forEach((key, allow) -> {
            byKey.put(key, new ArrayDeque<>());
            if (allow > 0) {
                asked.add(key);
                counts.add(Math.min(allow, share) + (probe ? 1 : 0));
            }
        });
        if (asked.isEmpty()) {
            return byKey;
        }
        Set<String> paused = book.pausedContexts();
        String contexts = paused.isEmpty() ? "" : " AND context NOT IN (" + marks(paused.size()) + ")";
        String columns = "id, concurrency_key, neg_priority, run_at" + (book.limitsHosts() ? ", payload" : "");
        String one = "(SELECT " + columns + " FROM queue_job WHERE state = " + WAITING + " AND concurrency_key = ?"
                + contexts + Claimer.NOT_EXPIRED + " ORDER BY neg_priority, run_at, id LIMIT ?)";
        String sql = String.join(" UNION ALL ", java.util.Collections.nCopies(asked.size(), one));
        List<Candidate> found = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            int p = 1;
            for (int i = 0; i < asked.size(); i++) {
                select.setString(p++, asked.get(i));
                p = bind(select, p, paused);
                select.setInt(p++, counts.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    found.add(new Candidate(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4),
                            book.limitsHosts() ? Claim.targetHost(Json.parse(rs.getString(5))) : null));
                }
            }
        }
        found.sort(Comparator.comparingInt(Candidate::negPriority).thenComparing(Candidate::runAt)
                .thenComparingLong(Candidate::id));
        found.forEach(cand -> byKey.get(cand.key()).add(cand));
        return byKey;
    }

    private static Map<String, RateBuckets.Bucket> hostBuckets(LimitBook book, Map<String, Deque<Candidate>> candidates) {
        Map<String, RateBuckets.Bucket> buckets = new HashMap<>();
        if (!book.limitsHosts()) {
            return buckets;
        }
        candidates.values().stream().flatMap(Deque::stream).map(Candidate::host).distinct().forEach(host ->
                book.forHost(host).ifPresent(rule -> {
                    for (LimitRule.Rate rate : rule.rates()) {
                        RateBuckets.Bucket b = RateBuckets.Bucket.of(rule, rate, host);
                        buckets.put(host + "|" + b.key(), b);
                    }
                }));
        return buckets;
    }

    /** Round-robin over the keys in turn order, {@code weight} a turn, spending each job's tokens as it is chosen. */
    private static List<Candidate> takeTurns(LimitBook book, List<String> keys, Map<String, Deque<Candidate>> candidates,
                                             int max, Map<String, List<RateBuckets.Bucket>> keyBuckets,
                                             Map<String, RateBuckets.Bucket> hostBuckets, RateBuckets.Held tokens,
                                             long[] retry) {
        List<Candidate> chosen = new ArrayList<>();
        Map<String, Integer> weights = new HashMap<>();
        for (String key : keys) {
            weights.put(key, book.forKey(key).stream().map(LimitRule::weight).filter(java.util.Objects::nonNull)
                    .findFirst().orElse(1));
        }
        boolean any = true;
        while (chosen.size() < max && any) {
            any = false;
            for (String key : keys) {
                int weight = weights.get(key);
                Deque<Candidate> queue = candidates.get(key);
                for (int w = 0; w < weight && !queue.isEmpty() && chosen.size() < max; w++) {
                    Candidate next = queue.peekFirst();
                    List<RateBuckets.Bucket> spend = new ArrayList<>(keyBuckets.getOrDefault(key, List.of()));
                    hostBuckets.forEach((k, b) -> {
                        if (k.startsWith(next.host() + "|")) {
                            spend.add(b);
                        }
                    });
                    RateBuckets.Bucket empty = spend.stream().filter(b -> tokens.get(b.key()) < 1).findFirst().orElse(null);
                    if (empty != null) {
                        held(retry, waitForToken(tokens.get(empty.key()), empty));
                        queue.clear(); // this key's next job waits for a token: the key sits out this claim
                        break;
                    }
                    spend.forEach(b -> tokens.add(b.key(), -1));
                    chosen.add(queue.pollFirst());
                    any = true;
                }
            }
        }
        return chosen;
    }

    private static void refund(Candidate cand, Map<String, List<RateBuckets.Bucket>> keyBuckets,
                               Map<String, RateBuckets.Bucket> hostBuckets, RateBuckets.Held tokens) {
        keyBuckets.getOrDefault(cand.key(), List.of()).forEach(b -> tokens.add(b.key(), 1));
        hostBuckets.forEach((k, b) -> {
            if (k.startsWith(cand.host() + "|")) {
                tokens.add(b.key(), 1);
            }
        });
    }

    /** Locks the chosen rows that are still waiting and not locked by another claim, in the chosen order. */
    private static List<Claim> lockChosen(Transactions.Tx tx, List<Candidate> chosen) throws SQLException {
        if (chosen.isEmpty()) {
            return List.of();
        }
        String ids = chosen.stream().map(cand -> Long.toString(cand.id())).collect(Collectors.joining(","));
        Map<Long, Claim> byId = new HashMap<>();
        for (Claim claim : Claimer.select(tx, Claimer.COLUMNS + " WHERE id IN (" + ids + ") AND state = " + WAITING
                + Claimer.NOT_EXPIRED + " FOR UPDATE SKIP LOCKED")) {
            byId.put(claim.id(), claim);
        }
        return chosen.stream().map(cand -> byId.get(cand.id())).filter(java.util.Objects::nonNull).toList();
    }

    private static String marks(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    private static int bind(PreparedStatement statement, int first, java.util.Collection<String> values)
            throws SQLException {
        int p = first;
        for (String v : values) {
            statement.setString(p++, v);
        }
        return p;
    }
}
