package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.Claim;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.JobEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * This node's running engine as the rest of the application sees it: wake it, cancel an attempt, run a job now,
 * read its capacity. A plain bean, so that a submit's wake-up pays no EJB invocation; the {@link Dispatcher} EJB
 * builds the parts at start and drives their loops on its managed executors.
 */
@ApplicationScoped
public class Engine {
    /** Thrown by {@link #runNow} when every slot of the node is busy. */
    public static final class NoFreeSlot extends RuntimeException {
        NoFreeSlot(int slots) {
            super("all " + slots + " job slots of this node are busy; try again shortly");
        }
    }

    /** What the dispatcher built. */
    record Parts(Capacity capacity, RunningAttempts running, ClaimLoop claims, Launcher launcher,
                 DatabaseCall<Long, Optional<Claim>> claimOne, HostBreakers breakers) {
    }

    /** This node's circuit breaker settings and its view of the hosts; empty when QUEUE_BREAKER is off. */
    public record Hosts(int window, double failureRate, int refusedInARow, long cooldownSeconds, List<Host> hosts) {
    }

    /** A host as this node sees it: the breaker's state and this node's counts of its last outcomes. */
    public record Host(String host, String state, int requests, int failures) {
    }

    public Optional<Hosts> hosts() {
        Parts p = parts;
        if (p == null || p.breakers() == null) {
            return Optional.empty();
        }
        HostBreakers.Settings s = p.breakers().settings();
        return Optional.of(new Hosts(s.window(), s.failureRate(), s.refusedInARow(), s.cooldown().toSeconds(),
                p.breakers().view()));
    }

    /** How long a run-now request waits for a free slot before it is answered 503. */
    static final java.time.Duration SLOT_WAIT = java.time.Duration.ofSeconds(3);

    private volatile Parts parts;
    private volatile long lastTickMillis = System.currentTimeMillis();

    void start(Parts parts) {
        this.parts = parts;
    }

    void ticked() {
        lastTickMillis = System.currentTimeMillis();
    }

    /** Asks for a claim round soon; a request made during one is not lost. */
    public void wake() {
        Parts p = parts;
        if (p != null) {
            p.claims().wake();
        }
    }

    /** Jobs of these concurrency keys were stored, due now: a claim round soon, and a new key's jobs perhaps sooner. */
    public void submitted(Collection<String> concurrencyKeys) {
        Parts p = parts;
        if (p != null) {
            p.claims().submitted(concurrencyKeys);
        }
    }

    public long lastTickMillis() {
        return lastTickMillis;
    }

    public int running() {
        Parts p = parts;
        return p == null ? 0 : p.running().size();
    }

    public int maxSlots() {
        Parts p = parts;
        return p == null ? 0 : p.capacity().max();
    }

    public int freeSlots() {
        Parts p = parts;
        return p == null ? 0 : p.capacity().free();
    }

    /** Cancels this node's attempts of a job up to {@code attempt}, if it runs one; true when it did. */
    public boolean abort(long job, int attempt) {
        Parts p = parts;
        return p != null && p.running().abortUpTo(job, attempt);
    }

    public boolean abort(AttemptId attempt) {
        return abort(attempt.job(), attempt.attempt());
    }

    /**
     * Runs a job now on the caller's behalf (the original's {@code php work.php -j123}), whatever its place in the
     * queue, in one of the node's slots, streaming its output; recorded like any run. Empty when the job is unknown,
     * working or done.
     */
    public Optional<CompletableFuture<Outcome>> runNow(long id, Consumer<String> output) throws Exception {
        Parts p = parts;
        if (p == null || !p.capacity().takeOne(SLOT_WAIT)) {
            throw new NoFreeSlot(p == null ? 0 : p.capacity().max());
        }
        Optional<Claim> claim;
        try {
            claim = p.claimOne().apply(id);
        } catch (Exception e) {
            p.capacity().release(1);
            throw e;
        }
        if (claim.isEmpty()) {
            p.capacity().release(1);
            return Optional.empty();
        }
        p.running().add(claim.get(), true);
        return Optional.of(p.launcher().start(claim.get(), output));
    }

    /** A job cancelled while it runs here is aborted at once; on other nodes a cluster signal or the heartbeat does. */
    void onFinished(@Observes @Priority(JobEvents.SERVER) JobFinished event) {
        if (event.state() == JobState.CANCELLED) {
            abort(event.id(), event.attempt());
        }
    }
}
