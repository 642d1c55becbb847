package io.queueserver.engine;

import io.queueserver.store.Claimer;
import java.util.function.BiConsumer;

import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.WakeLoop;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Claims due jobs into the node's free slots, as many per transaction as there are free slots (up to
 * {@link #MAX_CLAIM}), and hands each batch to the launcher. A wake-up with no free slot only notes the backlog:
 * the next recorded result wakes the loop again. When flow control held jobs back, the loop tries again when the
 * next token is due (rate limits) or soon (a key at its concurrency limit, a pause).
 */
final class ClaimLoop {
    private static final Logger LOG = Logger.getLogger(ClaimLoop.class.getName());
    static final int MAX_CLAIM = 100;

    private final Capacity capacity;
    private final RunningAttempts running;
    private final DatabaseCall<Integer, Claimer.Claimed> claim;
    private final BiConsumer<Runnable, Long> later;
    private final Consumer<List<Claim>> launch;
    private final DatabaseBackoff backoff;
    private final WakeLoop loop;
    private volatile boolean backlog = true;
    private volatile boolean stopped;

    ClaimLoop(Capacity capacity, RunningAttempts running, DatabaseCall<Integer, Claimer.Claimed> claim,
              Consumer<List<Claim>> launch, Executor executor, BiConsumer<Runnable, Long> later, DatabaseBackoff backoff) {
        this.capacity = capacity;
        this.later = later;
        this.running = running;
        this.claim = claim;
        this.launch = launch;
        this.backoff = backoff;
        this.loop = new WakeLoop("claim", executor, this::round);
    }

    void wake() {
        if (!stopped && !backoff.waiting()) {
            loop.wake();
        }
    }

    /** After results were recorded: freed slots are filled by one claim, if there may be more work. */
    void wakeIfBacklog() {
        if (backlog) {
            wake();
        }
    }

    void noteBacklog() {
        backlog = true;
    }

    void stop() {
        stopped = true;
    }

    private void round() {
        while (!stopped) {
            int slots = capacity.take(MAX_CLAIM);
            if (slots == 0) {
                backlog = true;
                return;
            }
            List<Claim> claims;
            long retryIn;
            try {
                Claimer.Claimed claimed = claim.apply(slots);
                claims = claimed.claims();
                retryIn = claimed.retryInMillis();
                backoff.succeeded();
            } catch (Exception e) {
                capacity.release(slots);
                backoff.failed(e);
                if (DatabaseBackoff.lockConflict(e)) {
                    loop.wake();
                }
                return;
            }
            capacity.release(slots - claims.size());
            for (Claim c : claims) {
                running.add(c, true);
            }
            if (!claims.isEmpty()) {
                launch.accept(claims);
            }
            if (retryIn >= 0) { // limits held jobs back: try again when a token is due or a rule may have changed
                backlog = true;
                later.accept(this::wake, retryIn);
                return;
            }
            if (claims.size() < slots) {
                backlog = false;
                return;
            }
            LOG.finest(() -> "claimed a full batch of " + slots);
        }
    }
}
