package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.LimitBook;
import io.queueserver.core.LimitRule;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Claims under flow control on the real schema (H2): turns between keys, concurrency, pauses, rates. */
class FlowClaimTest {
    private static int databases;
    private Connection c;
    private long nextId = 1;

    @BeforeEach
    void schema() throws Exception {
        c = TestSchema.inMemory("flow" + databases++);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private long job(String key, String context, String url) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_job (id, state, priority, neg_priority,"
                + " context, concurrency_key, type, payload, run_at, time_added) VALUES (?, 0, 500, -500, ?, ?, 'http', ?,"
                + " LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
            long id = nextId++;
            insert.setLong(1, id);
            insert.setString(2, context);
            insert.setString(3, key);
            insert.setString(4, "{\"command\":{\"type\":\"http\",\"url\":\"" + url + "\"}}");
            insert.executeUpdate();
            c.commit();
            return id;
        }
    }

    private List<Long> jobs(String key, int n) throws SQLException {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(job(key, "ctx", "http://127.0.0.1:9/x"));
        }
        return ids;
    }

    private FlowClaim.Round claim(LimitBook book, int max) throws SQLException {
        return claim(book, max, false);
    }

    private FlowClaim.Round claim(LimitBook book, int max, boolean reserve) throws SQLException {
        List<String> keys = FlowClaim.waitingKeys(c, null);
        c.commit();
        FlowClaim.Round round = FlowClaim.claim(new Transactions.Tx(null, c, new StateCounts()), book, keys, max,
                reserve, "node-a", 60_000_000);
        c.commit();
        return round;
    }

    private static List<Long> ids(FlowClaim.Round round) {
        return round.claims().stream().map(Claim::id).toList();
    }

    private static LimitRule concurrency(String key, int n) {
        return new LimitRule(key, n, List.of(), null, false, null, null, null);
    }

    private static LimitRule rate(String key, String rate, Integer burst) {
        return new LimitRule(key, null, List.of(LimitRule.Rate.parse(rate).orElseThrow()), burst, false, null, null, null);
    }

    private void finish(long id) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE queue_job SET state = 3 WHERE id = " + id);
        }
        c.commit();
    }

    @Test
    void keysTakeTurnsSoALoneJobIsNotBehindAFlood() throws SQLException {
        jobs("busy", 50);
        long lone = job("idle", "ctx", "http://127.0.0.1:9/x");
        FlowClaim.Round round = claim(LimitBook.EMPTY, 4);
        assertEquals(4, round.claims().size());
        assertTrue(ids(round).contains(lone), "the idle key's job is claimed in the first round: " + ids(round));
        assertEquals(FlowClaim.NOT_HELD, round.retryInMillis());
    }

    /** The reserve goes only to keys whose waiting jobs it takes whole: a flood cannot fill it, a lone job can. */
    @Test
    void intoTheReserveOnlyKeysWhoseWaitingJobsItTakesWhole() throws SQLException {
        jobs("busy", 5);
        long lone = job("idle", "ctx", "http://127.0.0.1:9/x");
        FlowClaim.Round round = claim(LimitBook.EMPTY, 1, true);
        assertEquals(List.of(lone), ids(round), "the lone job, not the flood's");
        assertTrue(round.keptReserve(), "the flood's jobs wait for a slot that is not the reserve");
        round = claim(LimitBook.EMPTY, 1, true);
        assertEquals(List.of(), ids(round), "one key with more waiting than the reserve takes: nothing");
        assertTrue(round.keptReserve());
        List<Long> two = jobs("pair", 2);
        finishAll("busy");
        round = claim(LimitBook.EMPTY, 2, true);
        assertEquals(two, ids(round), "a key's last jobs fit the reserve whole");
        assertEquals(false, round.keptReserve());
        assertEquals(List.of(), ids(claim(LimitBook.EMPTY, 2, true)), "nothing left");
        job("mailing", "ctx", "http://127.0.0.1:9/x");
        round = claim(new LimitBook(List.of(concurrency("mailing", 5))), 2, true);
        assertEquals(List.of(), ids(round), "a key under a rule that counts it waits for the rounds, which take its lock");
        assertTrue(round.keptReserve());
    }

    private void finishAll(String key) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE queue_job SET state = 3 WHERE concurrency_key = '" + key + "'");
        }
        c.commit();
    }

    @Test
    void waitingKeysStartAfterTheCursorAndComeRoundToIt() throws SQLException {
        for (String key : List.of("b", "a", "c", "b")) {
            job(key, "ctx", "http://127.0.0.1:9/x");
        }
        assertEquals(List.of("a", "b", "c"), FlowClaim.waitingKeys(c, null));
        assertEquals(List.of("c", "a", "b"), FlowClaim.waitingKeys(c, "b"));
        assertEquals(List.of("a", "b", "c"), FlowClaim.waitingKeys(c, "c"));
    }

    @Test
    void oneKeyWithoutRulesIsClaimedInPriorityOrder() throws SQLException {
        List<Long> ids = jobs("only", 5);
        assertEquals(ids.subList(0, 3), ids(claim(LimitBook.EMPTY, 3)));
    }

    @Test
    void aConcurrencyLimitCountsRunningJobs() throws SQLException {
        List<Long> ids = jobs("mailing", 10);
        LimitBook book = new LimitBook(List.of(concurrency("mailing", 2)));
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO queue_limit (limit_key, concurrency, paused, updated_at)"
                    + " VALUES ('mailing', 2, 0, LOCALTIMESTAMP(6))");
        }
        c.commit();
        assertEquals(ids.subList(0, 2), ids(claim(book, 10)));
        FlowClaim.Round full = claim(book, 10);
        assertEquals(List.of(), full.claims(), "2 running: none more");
        assertTrue(full.retryInMillis() >= 0, "held back, so the loop tries again");
        finish(ids.get(0));
        assertEquals(List.of(ids.get(2)), ids(claim(book, 10)), "one finished: one more starts");
    }

    @Test
    void aPatternLimitsEachOfItsKeys() throws SQLException {
        jobs("tenant-1", 3);
        jobs("tenant-2", 3);
        jobs("other", 3);
        LimitBook book = new LimitBook(List.of(concurrency("tenant-*", 1)));
        FlowClaim.Round round = claim(book, 10);
        assertEquals(5, round.claims().size(), "1 + 1 of the tenants, 3 of the unlimited key: " + ids(round));
    }

    @Test
    void pausesHoldKeysContextsAndTheWholeQueue() throws SQLException {
        jobs("thumbnails", 2);
        job("mail", "billing", "http://127.0.0.1:9/x");
        long free = job("mail", "other", "http://127.0.0.1:9/x");
        LimitBook paused = new LimitBook(List.of(LimitRule.none("thumbnails").withPaused(true),
                LimitRule.none("context:billing").withPaused(true)));
        FlowClaim.Round round = claim(paused, 10);
        assertEquals(List.of(free), ids(round));
        assertTrue(round.retryInMillis() >= 0);
        assertEquals(List.of(), claim(new LimitBook(List.of(LimitRule.none("*").withPaused(true))), 10).claims());
        assertEquals(3, claim(LimitBook.EMPTY, 10).claims().size(), "resumed: the thumbnails and the billing job run");
    }

    @Test
    void aRateLimitTakesTokensAndSaysWhenTheNextIsDue() throws SQLException {
        jobs("payments", 10);
        LimitBook book = new LimitBook(List.of(rate("payments", "5/s", 3)));
        assertEquals(3, claim(book, 10).claims().size(), "the burst");
        FlowClaim.Round empty = claim(book, 10);
        assertTrue(empty.claims().size() <= 1, "the bucket is (nearly) empty: " + ids(empty));
        assertTrue(empty.retryInMillis() > 0 && empty.retryInMillis() <= 200, "next token in at most 1/5 s: "
                + empty.retryInMillis());
    }

    @Test
    void aHostRateLimitHoldsOnlyJobsCallingThatHost() throws SQLException {
        for (int i = 0; i < 5; i++) {
            job("a", "ctx", "https://api.example.com/pay");
        }
        long other = job("b", "ctx", "https://elsewhere.example.com/x");
        LimitBook book = new LimitBook(List.of(rate("host:api.example.com", "2/m", null)));
        FlowClaim.Round round = claim(book, 10);
        assertEquals(3, round.claims().size(), "2 to the limited host, and the other host's job: " + ids(round));
        assertTrue(ids(round).contains(other));
        assertTrue(round.retryInMillis() > 0);
    }

    @Test
    void newKeysAreClaimedInKeyOrderExceptWhereARulePausesCountsOrMeters() throws SQLException {
        List<Long> fresh = jobs("fresh", 3);
        long other = job("other", "ctx", "http://127.0.0.1:9/x");
        jobs("mailing", 2);
        jobs("payments", 2);
        jobs("thumbnails", 2);
        LimitBook book = new LimitBook(List.of(concurrency("mailing", 5), rate("payments", "5/s", 3),
                LimitRule.none("thumbnails").withPaused(true)));
        List<Claim> claims = FlowClaim.claimPlain(new Transactions.Tx(null, c, new StateCounts()), book,
                List.of("fresh", "mailing", "payments", "thumbnails", "other"), 10, "node-a", 60_000_000);
        c.commit();
        List<Long> expected = new ArrayList<>(fresh);
        expected.add(other);
        assertEquals(expected, claims.stream().map(Claim::id).toList(), "the limited and paused keys wait for a round");
        assertEquals(List.of(), FlowClaim.claimPlain(new Transactions.Tx(null, c, new StateCounts()),
                new LimitBook(List.of(LimitRule.none("*").withPaused(true))), List.of("mailing"), 10, "node-a",
                60_000_000), "the whole queue paused");
        assertEquals(2, FlowClaim.claimPlain(new Transactions.Tx(null, c, new StateCounts()), LimitBook.EMPTY,
                List.of("mailing", "payments"), 2, "node-a", 60_000_000).size(), "no more than the free slots");
    }
}
