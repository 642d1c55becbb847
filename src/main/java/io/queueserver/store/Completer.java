package io.queueserver.store;

import io.queueserver.core.Backoff;
import io.queueserver.core.Claim;

import io.queueserver.core.CallbacksDue;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Records the outcome of an attempt, fenced by {@code (id, attempt, owner, working)}: a node whose lease was lost
 * (rescued, cancelled, deleted) changes nothing. A final state and its callbacks commit together.
 */
@ApplicationScoped
public class Completer {
    static final int MAX_OUTPUT_CHARS = 1 << 20;
    static final int MAX_ERROR_CHARS = 2000;

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    @Inject
    CallbackOutbox outbox;

    @Inject
    JobEvents events;

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
     * Records outcomes in one transaction (completions are batched: one commit for many jobs, and their attempt
     * history rows go in one multi-row INSERT). For each, the job's new state, or empty when this node no longer
     * owns the attempt.
     */
    public List<Optional<JobState>> finishAll(List<Finish> batch, String owner) throws SQLException {
        AtomicBoolean callbacks = new AtomicBoolean();
        List<Optional<JobState>> states = LocalTransaction.run(dataSource, c -> {
            callbacks.set(false); // only what the committed transaction wrote counts
            return finish(c, batch, owner, callbacks);
        });
        if (callbacks.get()) {
            events.fire(new CallbacksDue());
        }
        return states;
    }

    private List<Optional<JobState>> finish(Connection c, List<Finish> batch, String owner, AtomicBoolean callbacks)
            throws SQLException {
        List<JobState> next = batch.stream().map(f -> f.outcome().success() ? JobState.DONE
                : f.claim().canRetry() ? JobState.SCHEDULED : JobState.FAILED).toList();
        boolean[] owned = owned(c, batch, owner);
        List<Integer> ending = new ArrayList<>();
        List<Integer> retrying = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (owned[i]) {
                (next.get(i) == JobState.SCHEDULED ? retrying : ending).add(i);
            }
        }
        if (!retrying.isEmpty()) {
            try (PreparedStatement retry = c.prepareStatement(RETRY)) {
                for (int i : retrying) {
                    bindRetry(retry, batch.get(i));
                    retry.executeUpdate();
                }
            }
        }
        for (List<Integer> chunk : FinalStates.chunks(ending, i -> batch.get(i).outcome())) {
            FinalStates.update(c, chunk.stream().map(i -> new FinalStates.Row(batch.get(i).claim().id(), next.get(i),
                    batch.get(i).outcome())).toList(), owner);
        }
        List<Optional<JobState>> states = new ArrayList<>(batch.size());
        try (PreparedStatement log = c.prepareStatement(AttemptLog.FINISHED)) {
            for (int i = 0; i < batch.size(); i++) {
                Finish f = batch.get(i);
                if (!owned[i]) {
                    states.add(Optional.empty()); // cancelled, deleted or rescued meanwhile: not ours to record
                    continue;
                }
                states.add(Optional.of(next.get(i)));
                AttemptLog.bindFinished(log, f.claim(), owner,
                        next.get(i) == JobState.SCHEDULED ? "retry" : next.get(i).label(),
                        f.outcome().returnCode(), f.outcome().error());
                log.addBatch();
            }
            if (states.stream().anyMatch(Optional::isPresent)) {
                log.executeBatch();
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            Finish f = batch.get(i);
            if (owned[i] && next.get(i).isFinal() && outbox.record(c, f.claim().id(), f.claim().context(),
                    f.claim().payload(), next.get(i), f.outcome())) {
                callbacks.set(true);
            }
        }
        return states;
    }

    /**
     * The fence: which of the batch's attempts this node still holds, i.e. whose row is working, owned by this node
     * and at that attempt. The rows are locked until the transaction ends, so the updates that follow cannot race a
     * cancel, delete or rescue.
     */
    private static boolean[] owned(Connection c, List<Finish> batch, String owner) throws SQLException {
        String ids = batch.stream().map(f -> Long.toString(f.claim().id())).collect(Collectors.joining(","));
        Map<Long, Integer> attempts = new HashMap<>();
        try (PreparedStatement select = c.prepareStatement("SELECT id, attempt FROM queue_job WHERE id IN (" + ids
                + ") AND owner = ? AND state = " + JobState.WORKING.code() + " FOR UPDATE")) {
            select.setString(1, owner);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    attempts.put(rs.getLong(1), rs.getInt(2));
                }
            }
        }
        boolean[] owned = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            Claim claim = batch.get(i).claim();
            owned[i] = Integer.valueOf(claim.attempt()).equals(attempts.get(claim.id()));
        }
        return owned;
    }

    /** A failed attempt that has attempts left waits for its backoff; its row was fenced by {@link #owned}. */
    private static final String RETRY = "UPDATE queue_job SET state = " + JobState.SCHEDULED.code()
            + ", return_code = ?, output = ?, output_headers = ?, error = ?, owner = NULL, lease_until = NULL,"
            + " run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)) WHERE id = ?";

    private void bindRetry(PreparedStatement update, Finish f) throws SQLException {
        Outcome outcome = f.outcome();
        if (outcome.returnCode() == null) {
            update.setNull(1, Types.INTEGER);
        } else {
            update.setInt(1, outcome.returnCode());
        }
        update.setString(2, cut(outcome.output(), MAX_OUTPUT_CHARS));
        update.setString(3, outcome.headers());
        update.setString(4, cut(outcome.error(), MAX_ERROR_CHARS));
        update.setLong(5, new Backoff(backoffBaseMillis, backoffMaxMillis).delayMillis(f.claim().attempt()) * 1000);
        update.setLong(6, f.claim().id());
    }

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
