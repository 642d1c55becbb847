package io.queueserver.workers;

import io.queueserver.core.ServerStopping;

import io.queueserver.core.Outcome;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One started command: a drain thread copies its merged stdout/stderr into a capped buffer, {@link Process#onExit()}
 * (not a waiting thread) notices its end, a timer enforces the deadline. On timeout or cancel of {@link #outcome}
 * the whole tree is stopped; background processes left behind by a command that exited are stopped too.
 */
final class RunningProcess {
    private volatile boolean interrupted;
    private static final long REMEMBER_EVERY_MS = 1000;
    private static final long DRAIN_WAIT_MS = 2000;

    final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
    private final Process process;
    private final ProcessTree tree;
    private final CappedOutput output;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final Duration grace;
    private final ScheduledExecutorService timer;
    private volatile String stopReason;
    private volatile String leftoverNote;
    private List<ScheduledFuture<?>> timers = List.of();

    RunningProcess(Process process, int outputCap, Consumer<String> listener, Duration grace,
                   ScheduledExecutorService timer) {
        this.process = process;
        this.tree = new ProcessTree(process.toHandle());
        this.output = new CappedOutput(outputCap, listener);
        this.grace = grace;
        this.timer = timer;
    }

    CompletableFuture<Outcome> start(Duration timeout, ExecutorService drainers) {
        drainers.execute(this::drain);
        timers = List.of(
                timer.scheduleWithFixedDelay(tree::remember, 100, REMEMBER_EVERY_MS, TimeUnit.MILLISECONDS),
                timer.schedule(() -> stop("timed out after " + timeout.toSeconds() + " s"),
                        timeout.toMillis(), TimeUnit.MILLISECONDS));
        process.onExit().whenComplete((p, t) -> exited());
        outcome.whenComplete((o, t) -> {
            if (t instanceof CancellationException) {
                stop("cancelled");
            }
        });
        return outcome;
    }

    /** The server stops: the tree is stopped and the attempt handed back, not failed. */
    void interrupt() {
        interrupted = true;
        stop("the server is stopping");
    }

    /** Stops the whole tree; the outcome follows when the command's process has gone. */
    void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
        tree.kill(grace, timer);
    }

    private void drain() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                output.write(buffer, n);
            }
        } catch (IOException e) {
            // the stream is closed when the process is gone; what was read is kept
        } finally {
            drained.complete(null);
        }
    }

    private void exited() {
        timers.forEach(t -> t.cancel(false));
        List<ProcessHandle> leftovers = tree.leftovers();
        CompletableFuture<Void> cleaned = CompletableFuture.completedFuture(null);
        if (!leftovers.isEmpty()) {
            leftoverNote = leftovers.size() + " background process(es) left by the command were stopped";
            cleaned = tree.kill(grace, timer);
        }
        cleaned.thenCompose(v -> drained.copy().completeOnTimeout(null, DRAIN_WAIT_MS, TimeUnit.MILLISECONDS))
                .whenComplete((v, t) -> finish());
    }

    private void finish() {
        int code = process.exitValue();
        String text = output.text();
        if (leftoverNote != null) {
            text = text + (text.isEmpty() ? "" : "\n") + "[" + leftoverNote + "]";
        }
        if (interrupted) {
            outcome.completeExceptionally(new ServerStopping());
        } else if (stopReason != null) {
            outcome.complete(Outcome.failed(code, text, stopReason + "; the process tree was killed"));
        } else if (code == 0) {
            outcome.complete(Outcome.succeeded(code, text));
        } else {
            outcome.complete(Outcome.failed(code, text, "exit code " + code));
        }
    }
}
