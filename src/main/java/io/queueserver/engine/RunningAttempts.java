package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.Claim;
import io.queueserver.core.Outcome;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The attempts this node runs, by job and attempt: a re-claimed job's new attempt never shares an entry with an
 * old one, and a cancel meant for one attempt never aborts another. An attempt is entered when its claim commits,
 * before it starts, and leaves once its result is recorded.
 */
public final class RunningAttempts {
    /** One attempt: its claim and, once started, the worker's future. */
    static final class Entry {
        final Claim claim;
        final boolean slotTaken;
        volatile CompletableFuture<Outcome> future;

        Entry(Claim claim, boolean slotTaken) {
            this.claim = claim;
            this.slotTaken = slotTaken;
        }
    }

    private final Map<AttemptId, Entry> attempts = new ConcurrentHashMap<>();

    Entry add(Claim claim, boolean slotTaken) {
        Entry entry = new Entry(claim, slotTaken);
        attempts.put(claim.attemptId(), entry);
        return entry;
    }

    void remove(AttemptId id) {
        attempts.remove(id);
    }

    public int size() {
        return attempts.size();
    }

    public boolean isEmpty() {
        return attempts.isEmpty();
    }

    public Set<AttemptId> ids() {
        return Set.copyOf(attempts.keySet());
    }

    Optional<Entry> get(AttemptId id) {
        return Optional.ofNullable(attempts.get(id));
    }

    /** Aborts one attempt if it runs here; true when it did. */
    public boolean abort(AttemptId id) {
        Entry entry = attempts.get(id);
        CompletableFuture<Outcome> future = entry == null ? null : entry.future;
        return future != null && future.cancel(true);
    }

    /** Aborts every attempt of a job up to {@code attempt} (a cancel names the attempt it saw). */
    public boolean abortUpTo(long job, int attempt) {
        boolean aborted = false;
        for (AttemptId id : attempts.keySet()) {
            if (id.job() == job && id.attempt() <= attempt) {
                aborted |= abort(id);
            }
        }
        return aborted;
    }

    void abortAll() {
        attempts.keySet().forEach(this::abort);
    }
}
