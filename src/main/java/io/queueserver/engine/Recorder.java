package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import io.queueserver.core.WakeLoop;
import io.queueserver.store.Completer;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Records finished attempts in batches: one transaction for all the outcomes that arrived meanwhile. A batch the
 * database refuses for its data is split until the refused result is alone; that one is recorded as a failure
 * without its output. While the database is away results are kept (their slots stay taken) and tried again with
 * backoff, for as long as the node lives: a result is never dropped while its attempt is still this node's.
 */
final class Recorder {
    private static final Logger LOG = Logger.getLogger(Recorder.class.getName());
    static final int MAX_BATCH = 100;

    /** A finished attempt waiting to be recorded. */
    record Result(Claim claim, Outcome outcome, boolean slotTaken, CompletableFuture<Outcome> recorded) {
        Completer.Finish finish() {
            return new Completer.Finish(claim, outcome);
        }
    }

    /** What recording one result ended with: its new state, or empty when the attempt was no longer ours. */
    record Recorded(Result result, Optional<JobState> state) {
    }

    private final DatabaseCall<List<Completer.Finish>, List<Optional<JobState>>> finish;
    private final Consumer<Recorded> after;
    private final Runnable batchDone;
    private final BiConsumer<Runnable, Long> retryLater;
    private final DatabaseBackoff backoff;
    private final Queue<Result> queue = new ConcurrentLinkedQueue<>();
    private final WakeLoop loop;
    private volatile int failures;

    Recorder(DatabaseCall<List<Completer.Finish>, List<Optional<JobState>>> finish, Consumer<Recorded> after,
             Runnable batchDone, Executor executor, BiConsumer<Runnable, Long> retryLater, DatabaseBackoff backoff) {
        this.finish = finish;
        this.after = after;
        this.batchDone = batchDone;
        this.retryLater = retryLater;
        this.backoff = backoff;
        this.loop = new WakeLoop("record", executor, this::round);
    }

    void add(Result result) {
        queue.add(result);
        loop.wake();
    }

    /** Results not yet recorded. */
    int pending() {
        return queue.size();
    }

    private void round() {
        List<Result> batch = new ArrayList<>();
        for (Result r = queue.poll(); r != null; r = queue.poll()) {
            batch.add(r);
            if (batch.size() == MAX_BATCH) {
                if (!record(batch)) {
                    return;
                }
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            record(batch);
        }
    }

    /** False when the database is away: the batch went back to the queue and a retry is scheduled. */
    private boolean record(List<Result> batch) {
        try {
            store(batch);
            backoff.succeeded();
            failures = 0;
            batchDone.run();
            return true;
        } catch (SQLException | RuntimeException e) {
            backoff.failed(e);
            queue.addAll(batch);
            long delay = DatabaseBackoff.lockConflict(e) ? 10 : Math.min(5_000, 100L << Math.min(failures++, 6));
            try {
                retryLater.accept(loop::wake, delay);
            } catch (RuntimeException stopping) {
                LOG.warning(() -> batch.size() + " results not recorded at shutdown; their jobs will be rescued");
            }
            return false;
        }
    }

    private void store(List<Result> batch) throws SQLException {
        List<Optional<JobState>> states;
        try {
            states = finish.apply(batch.stream().map(Result::finish).toList());
        } catch (SQLException e) {
            if (!refusedData(e)) {
                throw e;
            }
            if (batch.size() > 1) {
                store(batch.subList(0, batch.size() / 2));
                store(batch.subList(batch.size() / 2, batch.size()));
                return;
            }
            Result r = batch.get(0);
            LOG.warning(() -> "job " + r.claim().id() + ": the database refused its result (" + e.getMessage()
                    + "); recorded as failed without output");
            Result failed = new Result(r.claim(), Outcome.failed(r.outcome().returnCode(), null,
                    "the result could not be stored: " + e.getMessage()), r.slotTaken(), r.recorded());
            states = finish.apply(List.of(failed.finish()));
            after.accept(new Recorded(failed, states.get(0)));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            after.accept(new Recorded(batch.get(i), states.get(i)));
        }
    }

    /** A value the database refused (SQLSTATE 22, 23, or MySQL's HY000 string errors): the others may be fine. */
    static boolean refusedData(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23")
                    || s.getSQLState().equals("HY000") && s.getErrorCode() == 1366)) {
                return true;
            }
        }
        return false;
    }
}
