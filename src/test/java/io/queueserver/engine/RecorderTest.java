package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import org.junit.jupiter.api.Test;

import java.sql.SQLDataException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recording results: one batch, a refused row isolated, nothing dropped while the database is away. */
class RecorderTest {
    private final List<Integer> batches = new ArrayList<>();
    private final List<Recorder.Recorded> recorded = new ArrayList<>();
    private final List<Runnable> retries = new ArrayList<>();
    private long refused = -1;
    private boolean databaseAway;

    private final Recorder recorder = new Recorder(batch -> {
        batches.add(batch.size());
        if (databaseAway) {
            throw new SQLTransientConnectionException("away", "08001");
        }
        if (batch.stream().anyMatch(f -> f.claim().id() == refused && f.outcome().output() != null)) {
            throw new SQLDataException("Incorrect string value", "22001");
        }
        return batch.stream().map(f -> Optional.of(f.outcome().success() ? JobState.DONE : JobState.FAILED)).toList();
    }, recorded::add, () -> { }, Runnable::run, (task, millis) -> retries.add(task),
            new DatabaseBackoff(Logger.getAnonymousLogger(), "test", new ManualClock()));

    private Recorder.Result result(long id) {
        return new Recorder.Result(Claims.of(id, 1), Outcome.succeeded(200, "out " + id), true, new CompletableFuture<>());
    }

    @Test
    void aRefusedResultIsIsolatedAndRecordedAsAFailureWithoutItsOutput() {
        refused = 3;
        List<Recorder.Result> all = new ArrayList<>();
        for (long id = 1; id <= 4; id++) {
            all.add(result(id));
        }
        databaseAway = true;
        all.forEach(recorder::add); // gathered while away, recorded together once back
        databaseAway = false;
        batches.clear();
        retries.remove(0).run();
        assertEquals(4, recorded.size(), "every result recorded: " + batches);
        for (Recorder.Recorded r : recorded) {
            boolean bad = r.result().claim().id() == 3;
            assertEquals(bad ? Optional.of(JobState.FAILED) : Optional.of(JobState.DONE), r.state());
            if (bad) {
                assertTrue(r.result().outcome().error().startsWith("the result could not be stored"));
                assertEquals(null, r.result().outcome().output());
            }
        }
        assertEquals(4, batches.get(0), "first tried as one batch");
    }

    @Test
    void resultsAreKeptWhileTheDatabaseIsAway() {
        databaseAway = true;
        recorder.add(result(1));
        recorder.add(result(2));
        assertTrue(recorded.isEmpty());
        assertEquals(2, recorder.pending(), "kept, not dropped");
        for (int i = 0; i < 150; i++) { // far more tries than the old limit of 100
            retries.remove(0).run();
        }
        assertEquals(2, recorder.pending());
        databaseAway = false;
        retries.remove(0).run();
        assertEquals(0, recorder.pending());
        assertEquals(2, recorded.size());
        assertFalse(recorded.get(0).state().isEmpty());
    }

    @Test
    void resultsArriveInBatches() {
        for (long id = 1; id <= 3; id++) {
            recorder.add(result(id));
        }
        assertEquals(3, recorded.size());
        assertEquals(List.of(1, 1, 1), batches, "a direct executor records each as it comes");
    }
}
