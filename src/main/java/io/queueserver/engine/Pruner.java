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
 * callbacks, in batches of {@value Pruning#BATCH} rows per transaction, every 10 minutes on every node.
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

    private ScheduledFuture<?> schedule;

    @PostConstruct
    void start() {
        Duration keep = RetentionPeriod.parse(retention);
        schedule = scheduler.scheduleWithFixedDelay(() -> prune(keep), 1, 10, TimeUnit.MINUTES);
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
            LOG.warning(() -> "pruning finished jobs failed; retrying in 10 minutes: " + e);
        }
        if (total > 0) {
            int pruned = total;
            LOG.info(() -> "pruned " + pruned + " finished jobs older than " + keep);
        }
        return total;
    }
}
