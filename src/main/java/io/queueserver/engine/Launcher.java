package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.JobRun;
import io.queueserver.core.JobStarted;
import io.queueserver.core.Outcome;
import io.queueserver.core.Placeholders;
import io.queueserver.core.ServerStopping;
import io.queueserver.core.Worker;
import jakarta.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts claimed attempts: one task on the workers' executor per claimed batch (a managed task costs tens of
 * microseconds, so never one per job). Each job's command comes from its payload, parsed once when claimed. A
 * worker's future that never completes is ended at the job's deadline; an observer that throws never stops a job.
 */
final class Launcher {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());

    private final Executor workersExecutor;
    private final Function<String, Optional<Worker>> workers;
    private final RunningAttempts running;
    private final Recorder recorder;
    private final Consumer<Object> events;
    private final String node;
    private final long deadlineSeconds;
    private final long deadlineMarginSeconds;
    private final Consumer<RunningAttempts.Entry> interrupted;
    private final UnaryOperator<JsonObject> openSecrets;
    private volatile boolean stopping;

    Launcher(Executor workersExecutor, Function<String, Optional<Worker>> workers, RunningAttempts running,
             Recorder recorder, Consumer<Object> events, String node, long deadlineSeconds, long deadlineMarginSeconds,
             Consumer<RunningAttempts.Entry> interrupted, UnaryOperator<JsonObject> openSecrets) {
        this.interrupted = interrupted;
        this.openSecrets = openSecrets;
        this.workersExecutor = workersExecutor;
        this.workers = workers;
        this.running = running;
        this.recorder = recorder;
        this.events = events;
        this.node = node;
        this.deadlineSeconds = deadlineSeconds;
        this.deadlineMarginSeconds = deadlineMarginSeconds;
    }

    void stopping() {
        stopping = true;
    }

    /** Starts a batch of claimed attempts (already entered in {@link RunningAttempts}). */
    void launch(List<Claim> claims) {
        try {
            workersExecutor.execute(() -> claims.forEach(c -> start(c, text -> { })));
        } catch (RuntimeException rejected) {
            // shutting down: the attempts stay unstarted and are handed back
            LOG.fine(() -> "launch refused (" + rejected + "); " + claims.size() + " attempts will be handed back");
        }
    }

    /** Starts one attempt on the calling thread; its future completes once the result is recorded. */
    CompletableFuture<Outcome> start(Claim claim, Consumer<String> output) {
        RunningAttempts.Entry entry = running.get(claim.attemptId()).orElseGet(() -> running.add(claim, false));
        CompletableFuture<Outcome> attempt;
        if (stopping) {
            return CompletableFuture.failedFuture(new CancellationException("the server is stopping"));
        }
        try {
            // secrets stored sealed are opened only here, for the worker
            JsonObject command = Placeholders.apply(openSecrets.apply(claim.job()).getJsonObject("command"),
                    Map.of("__JOBID__", Long.toString(claim.id())));
            Worker worker = workers.apply(command.getString("type"))
                    .orElseThrow(() -> new IllegalStateException("no worker for type " + command.getString("type")));
            fire(new JobStarted(claim.id(), claim.attempt(), claim.context(), node));
            attempt = worker.run(new JobRun(claim.id(), claim.attempt(), claim.context(), command, output))
                    .orTimeout(deadline(command), TimeUnit.SECONDS);
        } catch (Throwable t) {
            attempt = CompletableFuture.completedFuture(Outcome.of(t));
        }
        entry.future = attempt;
        CompletableFuture<Outcome> recorded = new CompletableFuture<>();
        attempt.whenComplete((outcome, failure) -> {
            if (failure instanceof ServerStopping || stopping && failure instanceof CancellationException) {
                interrupted.accept(entry); // by shutdown: handed back to the queue, not a failure
                return;
            }
            recorder.add(new Recorder.Result(claim, outcome != null ? outcome : Outcome.of(failure), entry.slotTaken,
                    recorded));
        });
        return recorded;
    }

    /**
     * The job's own timeout, or without one the configured deadline, plus a margin for the worker to end the job
     * itself first.
     */
    private long deadline(JsonObject command) {
        var timeout = command.get("timeout");
        long own = timeout instanceof jakarta.json.JsonNumber n ? n.longValue() : deadlineSeconds;
        return Math.max(1, own) + deadlineMarginSeconds;
    }

    private void fire(Object event) {
        try {
            events.accept(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an observer of " + event.getClass().getSimpleName() + " failed; the job goes on", e);
        }
    }
}
