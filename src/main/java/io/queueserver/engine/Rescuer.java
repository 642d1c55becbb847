package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.store.Leases;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Returns jobs of dead nodes to the queue. It acts only once this node has been connected for a full lease without
 * a break: after an outage that every node saw, live nodes first get the time to write their heartbeats, so their
 * jobs are never taken for a dead node's, and nothing runs twice. The store asks again once it found and locked the
 * jobs: a partition that began after the first check may have held the query until it healed.
 */
final class Rescuer {
    private static final Logger LOG = Logger.getLogger(Rescuer.class.getName());
    static final int LIMIT = 500;

    private final DatabaseCall<BooleanSupplier, Leases.Rescued> rescue;
    private final Supplier<Duration> connectedFor;
    private final Duration lease;
    private final Consumer<Leases.Rescued> rescued;
    private final DatabaseBackoff backoff;

    Rescuer(DatabaseCall<BooleanSupplier, Leases.Rescued> rescue, Supplier<Duration> connectedFor, Duration lease,
            Consumer<Leases.Rescued> rescued, DatabaseBackoff backoff) {
        this.rescue = rescue;
        this.connectedFor = connectedFor;
        this.lease = lease;
        this.rescued = rescued;
        this.backoff = backoff;
    }

    /** True when it looked for dead nodes' jobs (it may have found none). */
    boolean round() {
        if (backoff.waiting() || !connectedForALease()) {
            return false;
        }
        try {
            Leases.Rescued result = rescue.apply(this::connectedForALease);
            backoff.succeeded();
            if (!result.requeued().isEmpty() || !result.poisoned().isEmpty()) {
                LOG.warning(() -> "rescued " + result.requeued().size() + " jobs of stopped nodes; "
                        + result.poisoned().size() + " failed as poison");
                rescued.accept(result);
            }
            return true;
        } catch (Exception e) {
            backoff.failed(e);
            return false;
        }
    }

    private boolean connectedForALease() {
        return connectedFor.get().compareTo(lease) >= 0;
    }
}
