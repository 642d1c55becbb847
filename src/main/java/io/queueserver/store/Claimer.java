package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Claims due jobs in batches. {@code FOR UPDATE SKIP LOCKED} on the index {@code (state, neg_priority, run_at, id)}
 * (ascending, so MariaDB before 10.8 serves it too) lets every node claim disjoint rows without waiting; the rows
 * are marked working (owner, attempt, lease on the database clock) in the same short transaction, which commits
 * before any job runs.
 */
@ApplicationScoped
public class Claimer {
    /** A job past its expires_at never starts: the expiry sweep ends it ({@link Expiry}). */
    static final String NOT_EXPIRED = " AND (expires_at IS NULL OR expires_at > LOCALTIMESTAMP(6))";
    static final String COLUMNS = "SELECT id, attempt, max_attempts, retry_base, context, payload,"
            + " LOCALTIMESTAMP(6), state, snoozes, TIMESTAMPDIFF(MICROSECOND, time_added, LOCALTIMESTAMP(6)), batch_id,"
            + " dependents FROM queue_job";
    /**
     * Run-now takes one job that is waiting or may wait again (scheduled, failed, cancelled): it moves to waiting and
     * on to working in one transaction, whatever its place in the queue.
     */
    private static final String CLAIM_ONE = COLUMNS + " WHERE id = ? AND state IN (" + JobState.WAITING.code() + ", "
            + JobState.SCHEDULED.code() + ", " + JobState.FAILED.code() + ", " + JobState.CANCELLED.code() + ")"
            + " FOR UPDATE";

    @Inject
    Transactions transactions;

    @Inject
    Limits limits;

    /** Where the last claim's turn between keys stopped: the next one starts after it. */
    private volatile String cursor;

    /**
     * What a claim round took; when limits held jobs back, in how many ms to try again (else -1); the keys it saw
     * waiting, or null when more keys wait than a round reads; whether a claim into the reserve left keys waiting
     * that it could not take whole.
     */
    public record Claimed(List<Claim> claims, long retryInMillis, Set<String> waitingKeys, boolean keptReserve) {
    }

    /**
     * Claims up to {@code max} due jobs under flow control ({@link FlowClaim}). The keys with waiting jobs are read
     * first; when a rule throttles one of them the claim runs in a transaction of its own that starts with the
     * rules' locks. Each claim carries its key's retry policy, as the rules were read at most a moment ago.
     * {@code reserve}: the slots are the node's reserve, for keys whose waiting jobs they take whole.
     */
    public Claimed claim(int max, boolean reserve, String owner, long leaseMicros) throws SQLException {
        var book = limits.book();
        FirstPass first = transactions.run(tx -> {
            List<String> keys = FlowClaim.waitingKeys(tx.connection(), cursor);
            return new FirstPass(keys, book.throttlesAny(keys) && !reserve ? null // the reserve takes no rule's locks
                    : FlowClaim.claim(tx, book, keys, max, reserve, owner, leaseMicros));
        });
        FlowClaim.Round round = first.round() != null ? first.round()
                : transactions.run(tx -> FlowClaim.claim(tx, book, first.keys(), max, reserve, owner, leaseMicros));
        if (round.lastKey() != null) {
            cursor = round.lastKey();
        }
        return new Claimed(book.withKeyRetry(round.claims()), round.retryInMillis(),
                first.keys().size() < FlowClaim.MAX_KEYS ? Set.copyOf(first.keys()) : null, round.keptReserve());
    }

    /**
     * Up to {@code max} jobs of keys submitted while a round ran that the round did not see waiting: a new key's job
     * need not wait for the round in flight and then take its turn in the next one. Keys under rules that pause,
     * count or meter them wait for the rounds, which take their locks. Into the {@code reserve}, only keys whose
     * waiting jobs it takes whole, as a round does.
     */
    public List<Claim> claimNewKeys(List<String> keys, int max, boolean reserve, String owner, long leaseMicros)
            throws SQLException {
        var book = limits.book();
        return book.withKeyRetry(transactions.run(tx -> reserve
                ? FlowClaim.claim(tx, book, keys, max, true, owner, leaseMicros).claims()
                : FlowClaim.claimPlain(tx, book, keys, max, owner, leaseMicros)));
    }

    /** The keys with waiting jobs, and the claim when no rule throttles them (else it needs a transaction of its own). */
    private record FirstPass(List<String> keys, FlowClaim.Round round) {
    }

    /** Run-now: one job, whatever its place in the queue and whatever limits apply to it (an operator's choice). */
    public Optional<Claim> claimOne(long id, String owner, long leaseMicros) throws SQLException {
        var book = limits.book();
        return book.withKeyRetry(transactions.run(tx -> markWorking(tx.connection(), select(tx, CLAIM_ONE, id), owner,
                leaseMicros))).stream().findFirst();
    }

    /** The rows are locked, and all of them are marked working in the same transaction. */
    static List<Claim> select(Transactions.Tx tx, String sql, Object... parameters) throws SQLException {
        List<Claim> claims = new ArrayList<>();
        try (PreparedStatement select = tx.connection().prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = select.executeQuery()) {
                String now = null; // the same for every row; decoding it once per row costs more than the row
                while (rs.next()) {
                    now = now == null ? rs.getString(7) : now;
                    JobState state = JobState.ofCode(rs.getInt(8));
                    (state == JobState.WAITING ? state : state.moveTo(JobState.WAITING)).moveTo(JobState.WORKING);
                    tx.counts().moved(state, JobState.WORKING, 1);
                    claims.add(new Claim(rs.getLong(1), rs.getInt(2) + 1, rs.getInt(3), rs.getInt(4),
                            rs.getString(5), Json.parse(rs.getString(6)), now, rs.getInt(9), rs.getLong(10) / 1000,
                            rs.getLong(11), rs.getInt(12)));
                }
            }
        }
        return claims;
    }

    static List<Claim> markWorking(Connection c, List<Claim> claims, String owner, long leaseMicros)
            throws SQLException {
        if (claims.isEmpty()) {
            return claims;
        }
        String ids = claims.stream().map(cl -> Long.toString(cl.id())).collect(Collectors.joining(","));
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WORKING.code()
                + ", owner = ?, attempt = attempt + 1, lease_until = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
                + " time_started = ?, time_completed = NULL, progress = NULL, progress_message = NULL, expires_at = NULL"
                + " WHERE id IN (" + ids + ")")) {
            update.setString(1, owner);
            update.setLong(2, leaseMicros);
            update.setString(3, claims.get(0).startedAt());
            update.executeUpdate();
        }
        return claims;
    }

    /** Scheduled jobs and retry waits whose time has come become waiting; returns how many. */
    public int promoteDue() throws SQLException {
        JobState.SCHEDULED.moveTo(JobState.WAITING);
        return transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_job SET state = "
                    + JobState.WAITING.code() + " WHERE state = " + JobState.SCHEDULED.code()
                    + " AND run_at <= LOCALTIMESTAMP(6) LIMIT 10000")) {
                int promoted = update.executeUpdate();
                tx.counts().moved(JobState.SCHEDULED, JobState.WAITING, promoted);
                return promoted;
            }
        });
    }
}
