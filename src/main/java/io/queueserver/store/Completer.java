package io.queueserver.store;

import io.queueserver.core.RetryPolicy;
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
    JobEnds jobEnds;

    @Inject
    JobEvents events;

    @Inject
    @ConfigProperty(name = "queue.backoff.base.ms", defaultValue = "1000")
    long backoffBaseMillis;

    @Inject
    @ConfigProperty(name = "queue.backoff.max.ms", defaultValue = "3600000")
    long backoffMaxMillis;

    @Inject
    @ConfigProperty(name = "queue.retry.after.max.seconds", defaultValue = "86400")
    long retryAfterMaxSeconds;

    @Inject
    @ConfigProperty(name = "queue.max.snoozes", defaultValue = "100")
    int maxSnoozes;

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
            states = transactions.run(tx -> finish(tx, batch, owner, allOurs(batch.size()), callbacks));
        } catch (NotOurs e) {
            states = transactions.run(tx -> finish(tx, batch, owner, fence(tx.connection(), batch, owner), callbacks));
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

    /** How a job that runs again waits: a retry uses its attempt; a snooze and a pause give it back. */
    enum Wait { RETRY, SNOOZE, PAUSE }

    /** What follows an attempt: its new state; for a retry, a snooze or a pause, how and how long it waits. */
    record Decision(JobState state, long delayMillis, Wait how, Outcome outcome) {
        Decision(JobState state, Outcome outcome) {
            this(state, 0, null, outcome);
        }

        /** The attempt's outcome in the job's history. */
        String history() {
            if (how == null) {
                return state.label();
            }
            return switch (how) {
                case RETRY -> "retry";
                case SNOOZE -> "snoozed";
                case PAUSE -> "paused_by_breaker";
            };
        }
    }

    /**
     * README "The HTTP contract": a snooze (while snoozes are left) waits without using an attempt; success is done;
     * an answer that asks for no retry fails; else a retry while attempts and {@code max_retry_duration} last, after
     * the delay the answer asked for (at most {@code QUEUE_RETRY_AFTER_MAX_SECONDS}) or the job's backoff.
     */
    Decision decide(Finish f) {
        Outcome o = f.outcome();
        Claim claim = f.claim();
        Outcome.Next next = o.next();
        if (next.kind() == Outcome.Kind.PAUSE) {
            return new Decision(JobState.SCHEDULED, next.delayMillis(), Wait.PAUSE, o);
        }
        if (o.success() && next.kind() == Outcome.Kind.SNOOZE) {
            if (claim.snoozes() < maxSnoozes) {
                return new Decision(JobState.SCHEDULED, next.delayMillis(), Wait.SNOOZE, o);
            }
            return new Decision(JobState.FAILED, new Outcome(false, o.returnCode(), o.output(),
                    "snoozed " + claim.snoozes() + " times, the most QUEUE_MAX_SNOOZES allows", o.headers()));
        }
        if (o.success()) {
            return new Decision(JobState.DONE, o);
        }
        if (next.kind() == Outcome.Kind.FAIL || !claim.canRetry()) {
            return new Decision(JobState.FAILED, o);
        }
        RetryPolicy policy = RetryPolicy.of(claim.job(), RetryPolicy.defaults(backoffBaseMillis, backoffMaxMillis));
        long delay = next.kind() == Outcome.Kind.RETRY && next.delayMillis() > 0
                ? Math.min(next.delayMillis(), retryAfterMaxSeconds * 1000)
                : policy.delayMillis(claim.attempt() - claim.retryBase());
        if (policy.maxRetryDurationSeconds() != null
                && claim.ageMillis() + delay > policy.maxRetryDurationSeconds() * 1000) {
            return new Decision(JobState.FAILED, new Outcome(false, o.returnCode(), o.output(),
                    o.error() + "; no retry: max_retry_duration " + policy.maxRetryDurationSeconds() + " s reached",
                    o.headers()));
        }
        return new Decision(JobState.SCHEDULED, delay, Wait.RETRY, o);
    }

    private List<Optional<JobState>> finish(Transactions.Tx tx, List<Finish> batch, String owner, boolean[] owned,
                                            boolean[] callbacks) throws SQLException {
        Connection c = tx.connection();
        callbacks[0] = false; // only what the committed transaction wrote counts
        List<Decision> decisions = batch.stream().map(this::decide).toList();
        decisions.forEach(d -> JobState.WORKING.moveTo(d.state()));
        List<Integer> ending = new ArrayList<>();
        try (PreparedStatement retry = c.prepareStatement(RETRY); PreparedStatement snooze = c.prepareStatement(SNOOZE);
             PreparedStatement pause = c.prepareStatement(PAUSE)) {
            for (int i = 0; i < batch.size(); i++) {
                if (!owned[i]) {
                    continue;
                }
                Decision d = decisions.get(i);
                if (d.state() != JobState.SCHEDULED) {
                    ending.add(i);
                    continue;
                }
                PreparedStatement update = d.how() == Wait.PAUSE ? pause : d.how() == Wait.SNOOZE ? snooze : retry;
                if (d.how() == Wait.PAUSE) {
                    bindPause(update, batch.get(i), d, owner);
                } else {
                    bindLater(update, batch.get(i), d, owner);
                }
                if (update.executeUpdate() != 1) {
                    throw new NotOurs();
                }
                tx.counts().moved(JobState.WORKING, JobState.SCHEDULED, 1);
            }
        }
        for (List<Integer> chunk : FinalStates.chunks(ending, i -> decisions.get(i).outcome())) {
            int rows = FinalStates.update(c, chunk.stream().map(i -> new FinalStates.Row(batch.get(i).claim(),
                    decisions.get(i).state(), decisions.get(i).outcome())).toList(), owner);
            if (rows != chunk.size()) {
                throw new NotOurs();
            }
            chunk.forEach(i -> tx.counts().moved(JobState.WORKING, decisions.get(i).state(), 1));
        }
        List<Optional<JobState>> states = new ArrayList<>(batch.size());
        List<AttemptLog.Entry> history = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Finish f = batch.get(i);
            Decision d = decisions.get(i);
            if (!owned[i]) {
                states.add(Optional.empty()); // cancelled, deleted or rescued meanwhile: not ours to record
                continue;
            }
            states.add(Optional.of(d.state()));
            if (d.state() != JobState.DONE || f.claim().attempt() > 1) {
                history.add(new AttemptLog.Entry(f.claim(), owner, d.history(), d.outcome()));
            }
            if (d.state().isFinal() && outbox.record(c, f.claim().id(), f.claim().context(), f.claim().job(),
                    d.state(), d.outcome())) {
                callbacks[0] = true;
            }
        }
        AttemptLog.finished(c, history);
        List<JobEnds.End> ends = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Claim claim = batch.get(i).claim();
            if (owned[i] && decisions.get(i).state().isFinal() && (claim.batchId() > 0 || claim.dependents() > 0)) {
                ends.add(new JobEnds.End(claim.id(), decisions.get(i).state(), claim.batchId(), claim.dependents()));
            }
        }
        if (!ends.isEmpty() && jobEnds.ended(tx, ends)) {
            callbacks[0] = true;
        }
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

    /** A failed attempt that has attempts left waits for its delay. */
    private static final String RETRY = "UPDATE queue_job SET state = " + JobState.SCHEDULED.code()
            + ", return_code = ?, output = ?, output_headers = ?, error = ?, owner = NULL, lease_until = NULL,"
            + " run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6))"
            + " WHERE id = ? AND attempt = ? AND owner = ? AND state = " + JobState.WORKING.code();

    /** A snoozed job waits too, and gets its attempt back. */
    private static final String SNOOZE = "UPDATE queue_job SET state = " + JobState.SCHEDULED.code()
            + ", return_code = ?, output = ?, output_headers = ?, error = ?, owner = NULL, lease_until = NULL,"
            + " run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)), attempt = attempt - 1, snoozes = snoozes + 1"
            + " WHERE id = ? AND attempt = ? AND owner = ? AND state = " + JobState.WORKING.code();

    /** A paused job waits too, keeps its last attempt's result, and gets the attempt it did not make back. */
    private static final String PAUSE = "UPDATE queue_job SET state = " + JobState.SCHEDULED.code()
            + ", error = ?, owner = NULL, lease_until = NULL, run_at = TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)),"
            + " attempt = attempt - 1 WHERE id = ? AND attempt = ? AND owner = ? AND state = " + JobState.WORKING.code();

    private static void bindPause(PreparedStatement update, Finish f, Decision d, String owner) throws SQLException {
        update.setString(1, Texts.error(d.outcome().error()));
        update.setLong(2, d.delayMillis() * 1000);
        update.setLong(3, f.claim().id());
        update.setInt(4, f.claim().attempt());
        update.setString(5, owner);
    }

    private static void bindLater(PreparedStatement update, Finish f, Decision d, String owner) throws SQLException {
        Outcome outcome = d.outcome();
        if (outcome.returnCode() == null) {
            update.setNull(1, Types.INTEGER);
        } else {
            update.setInt(1, outcome.returnCode());
        }
        update.setString(2, Texts.output(outcome.output()));
        update.setString(3, outcome.headers());
        update.setString(4, d.how() == Wait.SNOOZE ? "snoozed: " + outcome.next().why() : Texts.error(outcome.error()));
        update.setLong(5, d.delayMillis() * 1000);
        update.setLong(6, f.claim().id());
        update.setInt(7, f.claim().attempt());
        update.setString(8, owner);
    }
}
