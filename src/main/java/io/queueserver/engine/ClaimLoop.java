package io.queueserver.engine;

import io.queueserver.store.Claimer;
import java.util.function.BiConsumer;

import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.WakeLoop;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Claims due jobs into the node's free slots, as many per transaction as there are free slots (up to
 * {@link #MAX_CLAIM}), and hands each batch to the launcher. A wake-up with no free slot only notes the backlog:
 * the next recorded result wakes the loop again. When flow control held jobs back, the loop tries again when the
 * next token is due (rate limits) or soon (a key at its concurrency limit, a pause).
 * <p>
 * A job submitted during a round, of a key that round did not see waiting, is claimed beside it into slots freed
 * meanwhile (up to {@link #MAX_NEW}): behind a flood of one key, another key's lone job would otherwise wait for the
 * round in flight and then for its turn in the next, two rounds of a full batch each.
 * <p>
 * Rounds leave the capacity's reserve free. Only when no other slot is free does a round claim into it, and then only
 * jobs of keys whose waiting jobs it takes whole: a flood that fills every other slot cannot take the reserve, so the
 * next job of another key starts at once instead of waiting for the flood's results to free a slot.
 */
final class ClaimLoop {
    private static final Logger LOG = Logger.getLogger(ClaimLoop.class.getName());
    static final int MAX_CLAIM = 100;
    static final int MAX_NEW = 16;

    /** A round's claim into {@code slots} free slots; {@code reserve}: they are the reserve. */
    record Ask(int slots, boolean reserve) {
    }

    /** A claim of up to {@code max} jobs of {@code keys}, which no round saw waiting; {@code reserve}: into the reserve. */
    record NewKeys(List<String> keys, int max, boolean reserve) {
    }

    private final Capacity capacity;
    private final RunningAttempts running;
    private final DatabaseCall<Ask, Claimer.Claimed> claim;
    private final DatabaseCall<NewKeys, List<Claim>> claimNew;
    private final BiConsumer<Runnable, Long> later;
    private final Consumer<List<Claim>> launch;
    private final DatabaseBackoff backoff;
    private final WakeLoop loop;
    private final WakeLoop beside;
    private final Set<String> newKeys = ConcurrentHashMap.newKeySet();
    private volatile boolean backlog = true;
    private volatile boolean stopped;
    private volatile boolean claiming;
    /** The keys the last round saw waiting; null before the first and when more waited than a round reads. */
    private volatile Set<String> seen;

    ClaimLoop(Capacity capacity, RunningAttempts running, DatabaseCall<Ask, Claimer.Claimed> claim,
              DatabaseCall<NewKeys, List<Claim>> claimNew, Consumer<List<Claim>> launch, Executor executor,
              BiConsumer<Runnable, Long> later, DatabaseBackoff backoff) {
        this.capacity = capacity;
        this.later = later;
        this.running = running;
        this.claim = claim;
        this.claimNew = claimNew;
        this.launch = launch;
        this.backoff = backoff;
        this.loop = new WakeLoop("claim", executor, this::round);
        this.beside = new WakeLoop("new-key claim", executor, this::claimNewKeys);
    }

    void wake() {
        if (!stopped && !backoff.waiting()) {
            loop.wake();
        }
    }

    /** Jobs of these keys were submitted, due now. */
    void submitted(Collection<String> keys) {
        wake();
        Set<String> known = seen;
        if (!claiming || known == null || stopped || backoff.waiting()) {
            return; // no round in flight (the wake-up claims them at once), or not known to be new
        }
        boolean added = false;
        for (String key : keys) {
            added |= key != null && !known.contains(key) && newKeys.add(key);
        }
        if (added) {
            beside.wake();
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
            Ask ask = takeSlots(MAX_CLAIM);
            int slots = ask.slots();
            if (slots == 0) {
                backlog = true;
                return;
            }
            List<Claim> claims;
            long retryIn;
            boolean keptReserve;
            claiming = true;
            try {
                Claimer.Claimed claimed = claim.apply(ask);
                claims = claimed.claims();
                retryIn = claimed.retryInMillis();
                keptReserve = claimed.keptReserve();
                seen = claimed.waitingKeys();
                backoff.succeeded();
            } catch (Exception e) {
                capacity.release(slots);
                backoff.failed(e);
                if (DatabaseBackoff.lockConflict(e)) {
                    loop.wake();
                }
                return;
            } finally {
                claiming = false;
            }
            start(slots, claims);
            if (retryIn >= 0) { // limits held jobs back: try again when a token is due or a rule may have changed
                backlog = true;
                later.accept(this::wake, retryIn);
                return;
            }
            if (keptReserve) { // keys too deep for the reserve wait: a recorded result frees a slot and wakes the loop
                backlog = true;
                return;
            }
            if (claims.size() < slots) {
                backlog = false;
                return;
            }
            LOG.finest(() -> "claimed a full batch of " + claims.size());
        }
    }

    /** Keys that found no free slot, or whose claim failed, are left to the next round, which the submit woke. */
    private void claimNewKeys() {
        List<String> keys = new ArrayList<>(newKeys);
        newKeys.removeAll(keys);
        if (keys.isEmpty() || stopped) {
            return;
        }
        Ask ask = takeSlots(MAX_NEW);
        int slots = ask.slots();
        if (slots == 0) {
            return;
        }
        List<Claim> claims;
        try {
            claims = claimNew.apply(new NewKeys(keys, slots, ask.reserve()));
        } catch (Exception e) {
            capacity.release(slots);
            LOG.fine(() -> "claim of new keys failed (the next round takes them): " + e);
            return;
        }
        start(slots, claims);
    }

    /** Up to {@code wanted} free slots but the reserve; when no other is free, the reserve. */
    private Ask takeSlots(int wanted) {
        int slots = capacity.takeLeavingReserve(wanted);
        return slots > 0 ? new Ask(slots, false) : new Ask(capacity.take(capacity.reserved()), true);
    }

    /** The slots a claim took but did not fill go back; the claimed attempts are entered and launched. */
    private void start(int slots, List<Claim> claims) {
        capacity.release(slots - claims.size());
        for (Claim c : claims) {
            running.add(c, true);
        }
        if (!claims.isEmpty()) {
            launch.accept(claims);
        }
    }
}
