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
import java.util.stream.Collectors;

/**
 * Claims due jobs in batches. {@code FOR UPDATE SKIP LOCKED} on the index {@code (state, neg_priority, run_at, id)}
 * (ascending, so MariaDB before 10.8 serves it too) lets every node claim disjoint rows without waiting; the rows
 * are marked working (owner, attempt, lease on the database clock) in the same short transaction, which commits
 * before any job runs.
 */
@ApplicationScoped
public class Claimer {
    private static final String COLUMNS = "SELECT id, attempt, max_attempts, retry_base, context, payload,"
            + " LOCALTIMESTAMP(6), state FROM queue_job";
    public static final String CLAIM = COLUMNS + " WHERE state = " + JobState.WAITING.code()
            + " ORDER BY neg_priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
    /**
     * Run-now takes one job that is waiting or may wait again (scheduled, failed, cancelled): it moves to waiting and
     * on to working in one transaction, whatever its place in the queue.
     */
    private static final String CLAIM_ONE = COLUMNS + " WHERE id = ? AND state IN (" + JobState.WAITING.code() + ", "
            + JobState.SCHEDULED.code() + ", " + JobState.FAILED.code() + ", " + JobState.CANCELLED.code() + ")"
            + " FOR UPDATE";

    @Inject
    Transactions transactions;

    public List<Claim> claim(int max, String owner, long leaseMicros) throws SQLException {
        return transactions.run(tx -> markWorking(tx.connection(), select(tx.connection(), CLAIM, max), owner, leaseMicros));
    }

    public Optional<Claim> claimOne(long id, String owner, long leaseMicros) throws SQLException {
        return transactions.run(tx -> markWorking(tx.connection(), select(tx.connection(), CLAIM_ONE, id), owner,
                leaseMicros)).stream().findFirst();
    }

    private static List<Claim> select(Connection c, String sql, long parameter) throws SQLException {
        List<Claim> claims = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setLong(1, parameter);
            try (ResultSet rs = select.executeQuery()) {
                String now = null; // the same for every row; decoding it once per row costs more than the row
                while (rs.next()) {
                    now = now == null ? rs.getString(7) : now;
                    JobState state = JobState.ofCode(rs.getInt(8));
                    (state == JobState.WAITING ? state : state.moveTo(JobState.WAITING)).moveTo(JobState.WORKING);
                    claims.add(new Claim(rs.getLong(1), rs.getInt(2) + 1, rs.getInt(3), rs.getInt(4),
                            rs.getString(5), Json.parse(rs.getString(6)), now));
                }
            }
        }
        return claims;
    }

    private static List<Claim> markWorking(Connection c, List<Claim> claims, String owner, long leaseMicros)
            throws SQLException {
        if (claims.isEmpty()) {
            return claims;
        }
        String ids = claims.stream().map(cl -> Long.toString(cl.id())).collect(Collectors.joining(","));
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WORKING.code()
                + ", owner = ?, attempt = attempt + 1, lease_until = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
                + " time_started = ?, time_completed = NULL, progress = NULL, progress_message = NULL"
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
                return update.executeUpdate();
            }
        });
    }
}
