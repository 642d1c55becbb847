package io.queueserver.store;

import io.queueserver.core.Backoff;
import io.queueserver.core.CallbacksDue;
import io.queueserver.core.Claim;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
import java.util.stream.Collectors;

/**
 * Records the outcomes of attempts, fenced by {@code (id, attempt, owner, working)}: a node whose lease was lost
 * (rescued, cancelled, deleted) changes nothing. The fence is folded into the UPDATEs themselves; only when a row
 * turns out not to be ours is the batch redone behind a {@code SELECT … FOR UPDATE} that tells which. A final state
 * and its callbacks commit together. A job done at its first attempt writes no history row: the job row is it.
 */
@ApplicationScoped
public class Completer {
    @Inject
    Transactions transactions;

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

    /** A row of the batch was not in the state the fast path assumed: redo the batch behind the fence. */
    static final class NotOurs extends SQLException {
        NotOurs() {
            super("an attempt of the batch is no longer this node's", "HY000");
        }
    }

    /**
     * Records outcomes in one transaction. For each, the job's new state, or empty when this node no longer
     * owns the attempt.
     */
    public List<Optional<JobState>> finishAll(List<Finish> batch, String owner) throws SQLException {
        boolean[] callbacks = new boolean[1];
        List<Optional<JobState>> states;
        try {
            states = transactions.run(tx -> finish(tx.connection(), batch, owner, allOurs(batch.size()), callbacks));
        } catch (NotOurs e) {
            states = transactions.run(tx -> finish(tx.connection(), batch, owner, fence(tx.connection(), batch, owner),
                    callbacks));
        }
        if (callbacks[0]) {
            events.fire(new CallbacksDue());
        }
        return states;
    }

    private static boolean[] allOurs(int size) {
        boolean[] owned = new boolean[size];
        java.util.Arrays.fill(owned, true);
        return owned;
    }

    private List<Optional<JobState>> finish(Connection c, List<Finish> batch, String owner, boolean[] owned,
                                            boolean[] callbacks) throws SQLException {
        callbacks[0] = false; // only what the committed transaction wrote counts
        List<JobState> next = batch.stream().map(f -> JobState.WORKING.moveTo(f.outcome().success() ? JobState.DONE
                : f.claim().canRetry() ? JobState.SCHEDULED : JobState.FAILED)).toList();
        List<Integer> ending = new ArrayList<>();
        try (PreparedStatement retry = c.prepareStatement(RETRY)) {
            for (int i = 0; i < batch.size(); i++) {
                if (!owned[i]) {
                    continue;
                }
                if (next.get(i) != JobState.SCHEDULED) {
                    ending.add(i);
                    continue;
                }
                bindRetry(retry, batch.get(i), owner);
                if (retry.executeUpdate() != 1) {
                    throw new NotOurs();
                }
            }
        }
        for (List<Integer> chunk : FinalStates.chunks(ending, i -> batch.get(i).outcome())) {
            int rows = FinalStates.update(c, chunk.stream().map(i -> new FinalStates.Row(batch.get(i).claim(), next.get(i),
                    batch.get(i).outcome())).toList(), owner);
            if (rows != chunk.size()) {
                throw new NotOurs();
            }
        }
        List<Optional<JobState>> states = new ArrayList<>(batch.size());
        List<AttemptLog.Entry> history = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Finish f = batch.get(i);
            if (!owned[i]) {
                states.add(Optional.empty()); // cancelled, deleted or rescued meanwhile: not ours to record
                continue;
            }
            states.add(Optional.of(next.get(i)));
            if (next.get(i) != JobState.DONE || f.claim().attempt() > 1) {
                history.add(new AttemptLog.Entry(f.claim(), owner,
                        next.get(i) == JobState.SCHEDULED ? "retry" : next.get(i).label(), f.outcome()));
            }
            if (next.get(i).isFinal() && outbox.record(c, f.claim().id(), f.claim().context(), f.claim().job(),
                    next.get(i), f.outcome())) {
                callbacks[0] = true;
            }
        }
        AttemptLog.finished(c, history);
        return states;
    }

    /**
     * Which of the batch's attempts this node still holds, i.e. whose row is working, owned by this node and at that
     * attempt. The rows are locked until the transaction ends, so the updates that follow cannot race a cancel,
     * delete or rescue.
     */
    private static boolean[] fence(Connection c, List<Finish> batch, String owner) throws SQLException {
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

    /** A failed attempt that has attempts left waits for its backoff. */
    private static final String RETRY = "UPDATE queue_job SET state = " + JobState.SCHEDULED.code()
            + ", return_code = ?, output = ?, output_headers = ?, error = ?, owner = NULL, lease_until = NULL,"
            + " run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6))"
            + " WHERE id = ? AND attempt = ? AND owner = ? AND state = " + JobState.WORKING.code();

    private void bindRetry(PreparedStatement update, Finish f, String owner) throws SQLException {
        Outcome outcome = f.outcome();
        if (outcome.returnCode() == null) {
            update.setNull(1, Types.INTEGER);
        } else {
            update.setInt(1, outcome.returnCode());
        }
        update.setString(2, Texts.output(outcome.output()));
        update.setString(3, outcome.headers());
        update.setString(4, Texts.error(outcome.error()));
        update.setLong(5, new Backoff(backoffBaseMillis, backoffMaxMillis).delayMillis(f.claim().attempt()) * 1000);
        update.setLong(6, f.claim().id());
        update.setInt(7, f.claim().attempt());
        update.setString(8, owner);
    }
}
