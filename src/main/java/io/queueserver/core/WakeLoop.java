package io.queueserver.core;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a round of work on an executor whenever woken: rounds never overlap, and a wake-up that arrives during a
 * round is never lost (another round follows). One task per round, not per wake-up. The dispatcher's claims, its
 * recording and the callback deliverer all run on one of these.
 */
public final class WakeLoop {
    private static final Logger LOG = Logger.getLogger(WakeLoop.class.getName());

    private final String name;
    private final Executor executor;
    private final Runnable round;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();

    public WakeLoop(String name, Executor executor, Runnable round) {
        this.name = name;
        this.executor = executor;
        this.round = round;
    }

    public void wake() {
        requested.set(true);
        if (running.compareAndSet(false, true)) {
            start();
        }
    }

    private void start() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException rejected) {
            running.set(false); // the executor is shutting down
        }
    }

    private void drain() {
        try {
            while (requested.getAndSet(false)) {
                round.run();
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, name + " round failed", e);
        } finally {
            running.set(false);
            if (requested.get() && running.compareAndSet(false, true)) {
                start();
            }
        }
    }
}
