package io.queueserver.store;

import io.queueserver.core.JobState;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Operator and job-initiated changes of one job: cancel, retry, progress. Each locks the row, checks the move
 * against the state machine and makes it in one transaction.
 */
@ApplicationScoped
public class JobMoves {
    public static final Set<JobState> CANCELLABLE = JobState.from(JobState.CANCELLED);
    public static final Set<JobState> RETRYABLE = EnumSet.of(JobState.FAILED, JobState.CANCELLED);

    /** What a retry sets: the job waits again at once, with max_attempts fresh attempts, its rescues forgiven. */
    static final String REQUEUE = "state = " + JobState.WAITING.code() + ", run_at = LOCALTIMESTAMP(6),"
            + " retry_base = attempt, rescues = 0, error = NULL, time_completed = NULL";

    @Inject
    Transactions transactions;

    @Inject
    JobEnds jobEnds;

    /** Returns the state the job was in (the job was cancelled only if that state is cancellable), or empty if unknown. */
    public Optional<JobState> cancel(long id) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<JobState> state = lockState(c, id);
            if (state.isEmpty() || !state.get().canMoveTo(JobState.CANCELLED)) {
                return state;
            }
            if (state.get() == JobState.WORKING) {
                AttemptLog.ended(c, id, "cancelled", "cancelled while running");
            }
            update(c, "UPDATE queue_job SET state = " + JobState.CANCELLED.code() + ", time_completed = LOCALTIMESTAMP(6),"
                    + " owner = NULL, lease_until = NULL, error = 'cancelled' WHERE id = ?", id);
            tx.counts().moved(state.get(), JobState.CANCELLED, 1);
            jobEnds.ended(tx, List.of(JobEnds.endOf(c, id, JobState.CANCELLED)));
            return state;
        });
    }

    /** A failed or cancelled job waits again, with max_attempts fresh attempts. */
    public Optional<JobState> retry(long id) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<JobState> state = lockState(c, id);
            if (state.isPresent() && RETRYABLE.contains(state.get())) {
                state.get().moveTo(JobState.WAITING);
                update(c, "UPDATE queue_job SET " + REQUEUE + " WHERE id = ?", id);
                tx.counts().moved(state.get(), JobState.WAITING, 1);
            }
            return state;
        });
    }

    /** Retries every failed job (of one context, if given); returns how many. */
    public int retryFailed(String context) throws SQLException {
        JobState.FAILED.moveTo(JobState.WAITING);
        return transactions.run(tx -> {
            try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_job SET " + REQUEUE
                     + " WHERE state = " + JobState.FAILED.code()
                     + (context == null ? "" : " AND context = ?"))) {
                if (context != null) {
                    update.setString(1, context);
                }
                int retried = update.executeUpdate();
                tx.counts().moved(JobState.FAILED, JobState.WAITING, retried);
                return retried;
            }
        });
    }

    /** Records progress of a running job; returns its state (progress was stored only if it is working). */
    public Optional<JobState> progress(long id, int percent, String message) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<JobState> state = lockState(c, id);
            if (state.isPresent() && state.get() == JobState.WORKING) {
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE queue_job SET progress = ?, progress_message = ? WHERE id = ?")) {
                    update.setInt(1, percent);
                    update.setString(2, message);
                    update.setLong(3, id);
                    update.executeUpdate();
                }
            }
            return state;
        });
    }

    static Optional<JobState> lockState(Connection c, long id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT state FROM queue_job WHERE id = ? FOR UPDATE")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(JobState.ofCode(rs.getInt(1))) : Optional.empty();
            }
        }
    }

    private static void update(Connection c, String sql, long id) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(sql)) {
            update.setLong(1, id);
            update.executeUpdate();
        }
    }
}
