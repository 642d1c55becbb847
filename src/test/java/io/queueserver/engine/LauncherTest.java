package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.JobRun;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Outcome;
import io.queueserver.core.Worker;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Launching: an observer that throws does not stop the job; one task per batch. */
class LauncherTest {
    private final List<Recorder.Recorded> recorded = new java.util.concurrent.CopyOnWriteArrayList<>(); // the deadline ends a job on a timer thread
    private final List<Runnable> tasks = new ArrayList<>();
    private final RunningAttempts running = new RunningAttempts();
    private final Recorder recorder = new Recorder(batch -> batch.stream()
            .map(f -> Optional.of(io.queueserver.core.JobState.DONE)).toList(), recorded::add, () -> { },
            Runnable::run, (t, ms) -> { }, new DatabaseBackoff(Logger.getAnonymousLogger(), "test"));

    private static Worker worker(Function<JobRun, CompletableFuture<Outcome>> run) {
        return new Worker() {
            @Override
            public String type() {
                return "test";
            }

            @Override
            public void validate(JsonFields command) {
            }

            @Override
            public CompletableFuture<Outcome> run(JobRun job) {
                return run.apply(job);
            }
        };
    }

    private final Worker worker = worker(run -> CompletableFuture.completedFuture(Outcome.succeeded(0, "ran " + run.jobId())));

    @Test
    void anAttemptInterruptedByTheServersStopIsHandedBackNotRecorded() {
        List<RunningAttempts.Entry> handedBack = new ArrayList<>();
        Worker stopped = worker(run -> CompletableFuture.failedFuture(new io.queueserver.core.ServerStopping()));
        Launcher launcher = new Launcher(Runnable::run, type -> Optional.of(stopped), running, recorder, e -> { },
                "n1", 60, 30, handedBack::add, job -> job);
        running.add(Claims.of(9, 2), true);
        launcher.launch(List.of(Claims.of(9, 2)));
        assertTrue(recorded.isEmpty(), "not recorded as a failure");
        assertEquals(1, handedBack.size());
        assertEquals(9, handedBack.get(0).claim.id());
    }

    @Test
    void aThrowingObserverNeverStopsAJob() {
        Launcher launcher = new Launcher(tasks::add, type -> Optional.of(worker), running, recorder, event -> {
            if (event instanceof JobStarted) {
                throw new IllegalStateException("observer bug");
            }
        }, "n1", 60, 30, entry -> { }, job -> job);
        var claims = List.of(Claims.of(1, 1), Claims.of(2, 1));
        claims.forEach(c -> running.add(c, true));
        launcher.launch(claims);
        assertEquals(1, tasks.size(), "one task for the batch");
        tasks.get(0).run();
        assertEquals(2, recorded.size());
        assertTrue(recorded.stream().allMatch(r -> r.result().outcome().success()), recorded.toString());
    }

    /** A custom worker's future that never completes is ended at the deadline: the job fails and its slot is free. */
    @Test
    void aWorkerThatNeverAnswersIsEndedAtTheDeadline() throws Exception {
        Worker silent = worker(run -> new CompletableFuture<>());
        Launcher launcher = new Launcher(Runnable::run, type -> Optional.of(silent), running, recorder, e -> { },
                "n1", 1, 0, entry -> { }, job -> job);
        running.add(Claims.of(5, 1), true);
        launcher.start(Claims.of(5, 1), text -> { });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (recorded.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(1, recorded.size(), "recorded once its deadline passed");
        assertFalse(recorded.get(0).result().outcome().success(), recorded.toString());
    }
}
