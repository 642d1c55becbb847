package io.queueserver.engine;

import io.queueserver.store.Pruning;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Deletes finished jobs (done, failed, cancelled) older than {@code QUEUE_RETENTION} with their attempts and
 * callbacks, in batches of {@value Pruning#BATCH} rows per transaction, every {@code QUEUE_PRUNE_EVERY} (10 minutes)
 * on every node, the first time a minute after start (or sooner, when the period is shorter).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
@ManagedScheduledExecutorDefinition(name = Pruner.EXECUTOR, maxAsync = 1)
public class Pruner {
    static final String EXECUTOR = "java:app/concurrent/queue-pruner";
    private static final Logger LOG = Logger.getLogger(Pruner.class.getName());

    @Resource(lookup = EXECUTOR)
    ManagedScheduledExecutorService scheduler;

    @Inject
    Pruning pruning;

    @Inject
    @ConfigProperty(name = "queue.retention", defaultValue = "7d")
    String retention;

    @Inject
    @ConfigProperty(name = "queue.prune.every", defaultValue = "10m")
    String every;

    private ScheduledFuture<?> schedule;

    @PostConstruct
    void start() {
        Duration keep = RetentionPeriod.parse(retention);
        long period = RetentionPeriod.parse(every, "QUEUE_PRUNE_EVERY").toMillis();
        if (period < 1000) {
            throw new IllegalArgumentException("QUEUE_PRUNE_EVERY must be at least 1 second, not '" + every + "'");
        }
        schedule = scheduler.scheduleWithFixedDelay(() -> prune(keep), Math.min(60_000, period), period,
                TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        schedule.cancel(false);
    }

    /** Returns how many jobs were deleted. */
    public int prune(Duration keep) {
        int total = 0;
        try {
            Pruning.Batch batch;
            do {
                batch = pruning.pruneBatch(keep);
                total += batch.deleted();
            } while (batch.found() == Pruning.BATCH);
        } catch (SQLException | RuntimeException e) {
            LOG.warning(() -> "pruning finished jobs failed; retrying in " + every + ": " + e);
        }
        if (total > 0) {
            int pruned = total;
            LOG.info(() -> "pruned " + pruned + " finished jobs older than " + keep);
        }
        return total;
    }
}
