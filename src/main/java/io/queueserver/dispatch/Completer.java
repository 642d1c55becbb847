package io.queueserver.dispatch;

import io.queueserver.callbacks.CallbackOutbox;
import io.queueserver.jobs.JobState;
import io.queueserver.workers.Outcome;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Records the outcome of an attempt, fenced by {@code (id, attempt, owner, working)}: a node whose lease was lost
 * (rescued, cancelled, deleted) changes nothing. A final state and its callbacks commit together.
 */
@Stateless
public class Completer {
    static final int MAX_OUTPUT_CHARS = 1 << 20;
    static final int MAX_ERROR_CHARS = 2000;

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    @Inject
    CallbackOutbox outbox;

    @Inject
    @ConfigProperty(name = "queue.backoff.base.ms", defaultValue = "1000")
    long backoffBaseMillis;

    @Inject
    @ConfigProperty(name = "queue.backoff.max.ms", defaultValue = "3600000")
    long backoffMaxMillis;

    /** An attempt's outcome to record. */
    public record Finish(Claim claim, Outcome outcome) {
    }

    /**
     * Records outcomes in one transaction (completions are batched: one commit for many jobs). For each, the job's
     * new state, or empty when this node no longer owns the attempt.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public List<Optional<JobState>> finishAll(List<Finish> batch, String owner) throws SQLException {
        List<Optional<JobState>> states = new ArrayList<>(batch.size());
        try (Connection c = dataSource.getConnection()) {
            for (Finish f : batch) {
                states.add(finish(c, f.claim(), owner, f.outcome()));
            }
        }
        return states;
    }

    private Optional<JobState> finish(Connection c, Claim claim, String owner, Outcome outcome) throws SQLException {
        JobState next = outcome.success() ? JobState.DONE
                : claim.canRetry() ? JobState.SCHEDULED : JobState.FAILED;
        String when = next == JobState.SCHEDULED
                ? "run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6))"
                : "time_completed = LOCALTIMESTAMP(6)";
        try (PreparedStatement fence = c.prepareStatement("SELECT id FROM queue_job WHERE id = ? AND attempt = ?"
                     + " AND owner = ? AND state = " + JobState.WORKING.code() + " FOR UPDATE");
             PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = ?, return_code = ?,"
                     + " output = ?, output_headers = ?, error = ?, owner = NULL, lease_until = NULL, " + when
                     + " WHERE id = ? AND attempt = ? AND owner = ? AND state = " + JobState.WORKING.code())) {
            fence.setLong(1, claim.id());
            fence.setInt(2, claim.attempt());
            fence.setString(3, owner);
            try (var owned = fence.executeQuery()) {
                if (!owned.next()) {
                    return Optional.empty();
                }
            }
            AttemptLog.record(c, claim.id(), next == JobState.SCHEDULED ? "retry" : next.label(),
                    outcome.returnCode(), outcome.error());
            int i = 1;
            update.setInt(i++, next.code());
            if (outcome.returnCode() == null) {
                update.setNull(i++, Types.INTEGER);
            } else {
                update.setInt(i++, outcome.returnCode());
            }
            update.setString(i++, cut(outcome.output(), MAX_OUTPUT_CHARS));
            update.setString(i++, outcome.headers());
            update.setString(i++, cut(outcome.error(), MAX_ERROR_CHARS));
            if (next == JobState.SCHEDULED) {
                update.setLong(i++, new Backoff(backoffBaseMillis, backoffMaxMillis).delayMillis(claim.attempt()) * 1000);
            }
            update.setLong(i++, claim.id());
            update.setInt(i++, claim.attempt());
            update.setString(i, owner);
            if (update.executeUpdate() == 0) {
                return Optional.empty();
            }
            if (next.isFinal()) {
                outbox.record(c, claim.id(), claim.context(), claim.payload(), next, outcome);
            }
            return Optional.of(next);
        }
    }

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
