package io.queueserver.workers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A command's process and everything it started. Descendants are remembered while the command runs (a child
 * whose parent exited is re-parented and no longer shows up as a descendant), so that background processes a
 * command leaves behind can still be stopped. Handles carry the process start time: a reused pid is never hit.
 */
final class ProcessTree {
    private final ProcessHandle root;
    private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

    ProcessTree(ProcessHandle root) {
        this.root = root;
    }

    void remember() {
        root.descendants().forEach(seen::add);
        for (ProcessHandle known : List.copyOf(seen)) {
            if (known.isAlive()) {
                known.descendants().forEach(seen::add);
            } else {
                seen.remove(known);
            }
        }
    }

    /** Processes started by the command that are still running (the root excluded). */
    List<ProcessHandle> leftovers() {
        remember();
        return seen.stream().filter(ProcessHandle::isAlive).toList();
    }

    /** TERM to the whole tree, KILL to what is still alive after {@code grace}; completes when all are gone. */
    CompletableFuture<Void> kill(Duration grace, ScheduledExecutorService timer) {
        remember();
        alive().forEach(ProcessHandle::destroy);
        CompletableFuture<Void> gone = new CompletableFuture<>();
        timer.schedule(() -> {
            try {
                remember();
                List<ProcessHandle> stubborn = alive();
                stubborn.forEach(ProcessHandle::destroyForcibly);
                CompletableFuture.allOf(stubborn.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                        .orTimeout(5, TimeUnit.SECONDS)
                        .whenComplete((v, t) -> gone.complete(null));
            } catch (Throwable t) {
                gone.complete(null);
            }
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
        return gone;
    }

    private List<ProcessHandle> alive() {
        List<ProcessHandle> all = new ArrayList<>();
        if (root.isAlive()) {
            all.add(root);
        }
        seen.stream().filter(ProcessHandle::isAlive).forEach(all::add);
        return all;
    }
}
