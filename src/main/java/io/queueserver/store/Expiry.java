package io.queueserver.store;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends jobs that were not started by their {@code expires_at}: state expired (worker_status 5), with the reason as
 * the error, and their {@code callback_failed} (and {@code callback_done}) in the same transaction. A job that
 * starts has its expiry cleared, so the index on {@code expires_at} holds only jobs that may still expire.
 */
@ApplicationScoped
public class Expiry {
    static final int BATCH = 1000;

    @Inject
    Transactions transactions;

    @Inject
    CallbackOutbox outbox;

    @Inject
    JobEnds jobEnds;

    /** Expires what is due (up to {@value #BATCH}); returns the jobs that ended, for their events. */
    public List<JobFinished> expireDue() throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            List<JobFinished> expired = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id, state, context, payload, attempt, expires_at"
                    + " FROM queue_job WHERE expires_at <= LOCALTIMESTAMP(6) AND state IN (" + JobState.WAITING.code()
                    + ", " + JobState.SCHEDULED.code() + ") ORDER BY expires_at LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED");
                 PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.EXPIRED.code()
                         + ", time_completed = LOCALTIMESTAMP(6), error = ?, expires_at = NULL WHERE id = ?");
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    JobState from = JobState.ofCode(rs.getInt(2));
                    from.moveTo(JobState.EXPIRED);
                    String error = "expired: not started by " + rs.getString(6).replace(' ', 'T') + "Z";
                    update.setString(1, error);
                    update.setLong(2, id);
                    update.executeUpdate();
                    tx.counts().moved(from, JobState.EXPIRED, 1);
                    outbox.record(c, id, rs.getString(3), Json.parse(rs.getString(4)), JobState.EXPIRED,
                            Outcome.failed(error));
                    expired.add(new JobFinished(id, rs.getInt(5), rs.getString(3), JobState.EXPIRED, null, error));
                }
            }
            List<JobEnds.End> ends = new ArrayList<>();
            for (JobFinished e : expired) {
                ends.add(JobEnds.endOf(c, e.id(), JobState.EXPIRED));
            }
            jobEnds.ended(tx, ends);
            return expired;
        });
    }
}
