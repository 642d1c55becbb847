package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.DatabaseBackoff;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Every third of a lease: writes this node's heartbeat row, renews the leases of exactly the attempts it runs,
 * aborts local attempts whose row is no longer this node's (cancelled, deleted, rescued after a cut-off), and hands
 * back rows it owns but does not run (a claim committed while its caller saw an error, or during shutdown). A row
 * is handed back only when it was seen unowned-by-a-run at two beats in a row, so a claim committed between the
 * two reads of one beat is never taken for an orphan. Tracks since when the node has been connected without a break:
 * a beat that fails, or two beat intervals between the ends of two beats that succeeded (a partition held a beat's
 * bytes, and the beat got through once it healed), breaks it.
 */
final class Heartbeat {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    /** The store calls of one beat. */
    record Store(DatabaseCall<String, Void> beat, DatabaseCall<Set<AttemptId>, Integer> renew,
                 DatabaseCall<String, Set<AttemptId>> owned, DatabaseCall<Set<AttemptId>, Integer> handBack) {
    }

    private final String node;
    private final Store store;
    private final RunningAttempts running;
    private final Consumer<Integer> handedBack;
    private final Clock clock;
    private final DatabaseBackoff backoff;
    private final Duration maxGap;
    private volatile Instant connectedSince;
    private volatile Instant lastSuccess;
    private Set<AttemptId> orphansSeen = Set.of();

    Heartbeat(String node, Store store, RunningAttempts running, Consumer<Integer> handedBack, Clock clock,
              Duration interval, DatabaseBackoff backoff) {
        this.maxGap = interval.multipliedBy(2);
        this.node = node;
        this.store = store;
        this.running = running;
        this.handedBack = handedBack;
        this.clock = clock;
        this.backoff = backoff;
    }

    synchronized void beat() {
        try {
            store.beat().apply(node);
            Set<AttemptId> before = running.ids();
            if (!before.isEmpty()) {
                store.renew().apply(before);
            }
            Set<AttemptId> owned = store.owned().apply(node);
            for (AttemptId id : before) {
                if (!owned.contains(id) && running.abort(id)) {
                    LOG.info(() -> "job " + id.job() + " attempt " + id.attempt()
                            + " is no longer this node's (cancelled, deleted or rescued): aborted");
                }
            }
            Set<AttemptId> orphans = new HashSet<>(owned);
            orphans.removeAll(running.ids());
            Set<AttemptId> confirmed = new HashSet<>(orphans);
            confirmed.retainAll(orphansSeen);
            orphans.removeAll(confirmed);
            orphansSeen = orphans;
            if (!confirmed.isEmpty()) {
                int n = store.handBack().apply(confirmed);
                LOG.warning(() -> n + " jobs this node owned but did not run were handed back to the queue");
                handedBack.accept(n);
            }
            // judged when the beat ends: a beat that began connected and then hung in a partition until it healed
            // is a break, though nothing failed
            Instant now = clock.instant();
            if (connectedSince == null || !connected()) {
                if (connectedSince != null) {
                    Instant last = lastSuccess;
                    LOG.info(() -> "no heartbeat got through for " + Duration.between(last, now).toMillis()
                            + " ms though none failed: connected time counted again from now");
                }
                connectedSince = now;
            }
            lastSuccess = now;
            backoff.succeeded();
        } catch (SQLException | RuntimeException e) {
            connectedSince = null;
            backoff.failed(e);
        }
    }

    /** How long this node has been able to write its heartbeat without a failed beat or a long gap in between. */
    Duration connectedFor() {
        Instant since = connectedSince;
        return since == null || !connected() ? Duration.ZERO : Duration.between(since, clock.instant());
    }

    private boolean connected() {
        Instant last = lastSuccess;
        return last != null && Duration.between(last, clock.instant()).compareTo(maxGap) <= 0;
    }
}
