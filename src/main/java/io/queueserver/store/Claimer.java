package io.queueserver.store;

import io.queueserver.core.Claim;

import io.queueserver.core.JobState;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Claims due jobs in batches. {@code FOR UPDATE SKIP LOCKED} on the index {@code (state, priority DESC, id)} lets
 * every node claim disjoint rows without waiting; the rows are marked working (owner, attempt, lease on the
 * database clock) in the same short transaction, which commits before any job runs.
 */
@ApplicationScoped
public class Claimer {
    private static final String COLUMNS = "SELECT id, attempt, max_attempts, retry_base, context, payload,"
            + " LOCALTIMESTAMP(6) FROM queue_job";
    public static final String CLAIM = COLUMNS
            + " WHERE state = 0 ORDER BY priority DESC, id LIMIT ? FOR UPDATE SKIP LOCKED";
    /** Run-now takes one job in any state but working and done. */
    private static final String CLAIM_ONE = COLUMNS + " WHERE id = ? AND state IN ("
            + JobState.WAITING.code() + ", " + JobState.SCHEDULED.code() + ", " + JobState.FAILED.code() + ", "
            + JobState.CANCELLED.code() + ") FOR UPDATE";

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    public List<Claim> claim(int max, String owner, long leaseMicros) throws SQLException {
        return LocalTransaction.run(dataSource, c -> markWorking(c, select(c, CLAIM, max), owner, leaseMicros));
    }

    public Optional<Claim> claimOne(long id, String owner, long leaseMicros) throws SQLException {
        return LocalTransaction.run(dataSource, c -> markWorking(c, select(c, CLAIM_ONE, id), owner, leaseMicros))
                .stream().findFirst();
    }

    private static List<Claim> select(Connection c, String sql, long parameter) throws SQLException {
        List<Claim> claims = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setLong(1, parameter);
            try (ResultSet rs = select.executeQuery()) {
                String now = null; // the same for every row; decoding it once per row costs more than the row
                while (rs.next()) {
                    now = now == null ? rs.getString(7) : now;
                    claims.add(new Claim(rs.getLong(1), rs.getInt(2) + 1, rs.getInt(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), now));
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
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WAITING.code()
                     + " WHERE state = " + JobState.SCHEDULED.code() + " AND run_at <= LOCALTIMESTAMP(6) LIMIT 10000")) {
            return update.executeUpdate();
        }
    }
}
