package io.queueserver.api;

import io.queueserver.core.JobState;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Operator and job-initiated changes of one job: cancel, retry, progress. Each is a conditional UPDATE. */
@Stateless
public class JobControl {
    static final Set<JobState> CANCELLABLE = EnumSet.of(JobState.WAITING, JobState.SCHEDULED, JobState.WORKING);
    static final Set<JobState> RETRYABLE = EnumSet.of(JobState.FAILED, JobState.CANCELLED);

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    /** Returns the state the job was in (the job was cancelled only if that state is cancellable), or empty if unknown. */
    public Optional<JobState> cancel(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<JobState> state = lockState(c, id);
            if (state.isEmpty() || !CANCELLABLE.contains(state.get())) {
                return state;
            }
            if (state.get() == JobState.WORKING) {
                try (PreparedStatement log = c.prepareStatement("INSERT INTO queue_attempt (job_id, attempt, owner,"
                        + " started_at, finished_at, outcome, error) SELECT id, attempt, owner, time_started,"
                        + " LOCALTIMESTAMP(6), 'cancelled', 'cancelled while running' FROM queue_job WHERE id = ?")) {
                    log.setLong(1, id);
                    log.executeUpdate();
                }
            }
            update(c, "UPDATE queue_job SET state = " + JobState.CANCELLED.code() + ", time_completed = LOCALTIMESTAMP(6),"
                    + " owner = NULL, lease_until = NULL, error = 'cancelled' WHERE id = ?", id);
            return state;
        }
    }

    /** A failed or cancelled job waits again, with max_attempts fresh attempts. */
    public Optional<JobState> retry(long id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<JobState> state = lockState(c, id);
            if (state.isPresent() && RETRYABLE.contains(state.get())) {
                update(c, "UPDATE queue_job SET state = " + JobState.WAITING.code() + ", run_at = LOCALTIMESTAMP(6),"
                        + " retry_base = attempt, rescues = 0, error = NULL, time_completed = NULL WHERE id = ?", id);
            }
            return state;
        }
    }

    /** Retries every failed job (of one context, if given); returns how many. */
    public int retryFailed(String context) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WAITING.code()
                     + ", run_at = LOCALTIMESTAMP(6), retry_base = attempt, rescues = 0, error = NULL,"
                     + " time_completed = NULL WHERE state = " + JobState.FAILED.code()
                     + (context == null ? "" : " AND context = ?"))) {
            if (context != null) {
                update.setString(1, context);
            }
            return update.executeUpdate();
        }
    }

    /** Records progress of a running job; returns its state (progress was stored only if it is working). */
    public Optional<JobState> progress(long id, int percent, String message) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
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
        }
    }

    private static Optional<JobState> lockState(Connection c, long id) throws SQLException {
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
