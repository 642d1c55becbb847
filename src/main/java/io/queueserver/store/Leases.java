package io.queueserver.store;

import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * Leases of running jobs, all on the database clock: a node's heartbeat renews the leases of its jobs; any node
 * returns jobs whose lease expired (their node died or was cut off) to the queue, and fails a job that has
 * already been rescued {@value #MAX_RESCUES} times, because it probably kills the node that runs it.
 */
@ApplicationScoped
public class Leases {
    public static final int MAX_RESCUES = 3;
    private static final int WORKING = JobState.WORKING.code();

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    @Inject
    CallbackOutbox outbox;

    public int renew(String owner, long leaseMicros) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_job SET lease_until ="
                     + " TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)) WHERE owner = ? AND state = " + WORKING)) {
            update.setLong(1, leaseMicros);
            update.setString(2, owner);
            return update.executeUpdate();
        }
    }

    /** The jobs this node owns in the database right now. */
    public Set<Long> owned(String owner) throws SQLException {
        Set<Long> ids = new HashSet<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement select = c.prepareStatement("SELECT id FROM queue_job WHERE owner = ? AND state = " + WORKING)) {
            select.setString(1, owner);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Returns {rescued, failed as poison}. */
    public int[] rescueExpired(int limit) throws SQLException {
        return LocalTransaction.run(dataSource, c -> {
            int rescued = 0;
            int poisoned = 0;
            try (PreparedStatement select = c.prepareStatement("SELECT id, rescues, context, payload, owner FROM queue_job"
                    + " WHERE state = " + WORKING + " AND lease_until < LOCALTIMESTAMP(6) LIMIT ? FOR UPDATE SKIP LOCKED")) {
                select.setInt(1, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        if (rs.getInt(2) + 1 >= MAX_RESCUES) {
                            String error = "poison job: its node stopped while running it " + MAX_RESCUES
                                    + " times (last node " + rs.getString(5) + ")";
                            AttemptLog.record(c, id, "poisoned", null, error);
                            move(c, id, JobState.FAILED, error);
                            outbox.record(c, id, rs.getString(3), rs.getString(4), JobState.FAILED,
                                    Outcome.failed(error));
                            poisoned++;
                        } else {
                            AttemptLog.record(c, id, "rescued", null, "lease expired: node " + rs.getString(5)
                                    + " stopped renewing it");
                            move(c, id, JobState.WAITING, null);
                            rescued++;
                        }
                    }
                }
            }
            return new int[] {rescued, poisoned};
        });
    }

    private static void move(Connection c, long id, JobState to, String error) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = ?, rescues = rescues + 1,"
                + " owner = NULL, lease_until = NULL, error = COALESCE(?, error),"
                + " time_completed = CASE WHEN ? = 1 THEN LOCALTIMESTAMP(6) ELSE time_completed END"
                + " WHERE id = ? AND state = " + WORKING)) {
            update.setInt(1, to.code());
            update.setString(2, error);
            update.setInt(3, to.isFinal() ? 1 : 0);
            update.setLong(4, id);
            update.executeUpdate();
        }
    }

    /** A stopping node hands its unfinished jobs back at once; the interrupted attempt does not count. */
    public int release(String owner) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WAITING.code()
                     + ", owner = NULL, lease_until = NULL, attempt = attempt - 1 WHERE owner = ? AND state = " + WORKING)) {
            update.setString(1, owner);
            return update.executeUpdate();
        }
    }
}
