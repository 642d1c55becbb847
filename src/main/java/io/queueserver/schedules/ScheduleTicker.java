package io.queueserver.schedules;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.engine.Dispatcher;
import io.queueserver.engine.RetentionPeriod;
import io.queueserver.store.ScheduleTable;
import io.queueserver.store.Transactions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every node looks for schedules due within the next {@value #TICK_MILLIS} ms (one indexed query, which finds
 * nothing most of the time), waits until the first of them is due and fires what it can lock; so a tick fires within
 * milliseconds of its time while any node runs, and a schedule made on another node is seen within
 * {@value #TICK_MILLIS} ms. Every 10 minutes it also deletes the runs of schedules older than {@code QUEUE_RETENTION},
 * as the jobs they fired are.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "ScheduleDefaults", "Dispatcher"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
@ManagedScheduledExecutorDefinition(name = ScheduleTicker.EXECUTOR, maxAsync = 2)
public class ScheduleTicker {
    static final String EXECUTOR = "java:app/concurrent/queue-schedules";
    static final long TICK_MILLIS = 250;
    private static final Logger LOG = Logger.getLogger(ScheduleTicker.class.getName());

    @Resource(lookup = EXECUTOR)
    ManagedScheduledExecutorService executor;

    @Inject
    Firings firings;

    @Inject
    Transactions transactions;

    @Inject
    ScheduleTable table;

    @Inject
    @ConfigProperty(name = "queue.retention", defaultValue = "7d")
    String retention;

    private static final long RETRY_FAILED_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final DatabaseBackoff backoff = new DatabaseBackoff(LOG, "schedules");
    private final Map<String, Long> failing = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> round;
    private ScheduledFuture<?> pruning;

    @PostConstruct
    void start() {
        Duration keep = RetentionPeriod.parse(retention);
        pruning = executor.scheduleWithFixedDelay(Dispatcher.guarded("pruning schedule runs", () -> prune(keep)), 1, 10,
                TimeUnit.MINUTES);
        round = executor.schedule(this::round, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        stopped = true;
        pruning.cancel(false);
        round.cancel(false);
    }

    /** One round, and the next one when the first schedule is due (at most {@value #TICK_MILLIS} ms later). */
    private void round() {
        long next = TICK_MILLIS;
        try {
            next = tick();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "schedule tick failed", t);
        } finally {
            if (!stopped) {
                round = executor.schedule(this::round, next, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Fires the schedules due now; returns how long to wait for the next one (or for the next look). */
    long tick() {
        if (backoff.waiting()) {
            return TICK_MILLIS;
        }
        Firings.Due due;
        try {
            due = firings.due(Duration.ofMillis(TICK_MILLIS));
            backoff.succeeded();
        } catch (Exception e) {
            backoff.failed(e);
            return TICK_MILLIS;
        }
        long wait = TICK_MILLIS;
        long now = System.nanoTime();
        for (ScheduleTable.Row row : due.schedules()) {
            String name = row.name();
            long untilDue = Duration.between(due.now(), Schedule.instant(row.nextFireAt())).toNanos();
            Long quietUntil = failing.get(name);
            if (untilDue > 0) {
                // a millisecond late rather than early, which would find it not due yet
                wait = Math.min(wait, TimeUnit.NANOSECONDS.toMillis(untilDue) + 1);
            } else if (quietUntil == null || now - quietUntil >= 0) {
                fire(row, now);
            }
        }
        // firing took part of the wait
        return Math.max(1, wait - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - now));
    }

    private void fire(ScheduleTable.Row row, long now) {
        try {
            firings.fireDue(row);
            failing.remove(row.name());
        } catch (Exception e) {
            if (!DatabaseBackoff.lockConflict(e)) {
                // one schedule's failure holds up neither the others nor the next ticks of the node
                failing.put(row.name(), now + RETRY_FAILED_NANOS);
                LOG.log(Level.WARNING, "schedule '" + row.name() + "' could not be fired; trying again in "
                        + TimeUnit.NANOSECONDS.toSeconds(RETRY_FAILED_NANOS) + " s", e);
            }
        }
    }

    private void prune(Duration keep) {
        try {
            int deleted;
            do {
                deleted = transactions.run(tx -> table.pruneRuns(tx.connection(), keep));
            } while (deleted == ScheduleTable.PRUNE_BATCH);
        } catch (Exception e) {
            LOG.warning(() -> "pruning the runs of schedules failed; retrying in 10 minutes: " + e);
        }
    }
}
