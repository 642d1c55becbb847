package io.queueserver.engine;

import io.queueserver.store.Transactions;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;

import io.queueserver.core.JobState;
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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Deletes finished jobs (done, failed, cancelled) older than {@code QUEUE_RETENTION} with their attempts and
 * callbacks, in batches of {@value #BATCH} rows per transaction, every 10 minutes on every node.
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
    static final int BATCH = 1000;

    @Resource(lookup = EXECUTOR)
    ManagedScheduledExecutorService scheduler;

    @Inject
    Transactions transactions;

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
            Batch batch;
            do {
                batch = transactions.run(tx -> pruneBatch(tx.connection(), keep));
                total += batch.deleted();
            } while (batch.found() == BATCH);
        } catch (SQLException | RuntimeException e) {
            LOG.warning(() -> "pruning finished jobs failed; retrying in 10 minutes: " + e);
        }
        if (total > 0) {
            int pruned = total;
            LOG.info(() -> "pruned " + pruned + " finished jobs older than " + keep);
        }
        return total;
    }

    /** Finished and older than the retention; the DELETE repeats it, so a job retried meanwhile stays. */
    private static final String PRUNABLE = "state IN (" + JobState.DONE.code() + ", " + JobState.FAILED.code() + ", "
            + JobState.CANCELLED.code() + ") AND time_completed < TIMESTAMPADD(SECOND, ?, LOCALTIMESTAMP(6))";

    /** One round: how many rows it found, how many it deleted (fewer when some were retried in between). */
    record Batch(int found, int deleted) {
    }

    static Batch pruneBatch(Connection c, Duration keep) throws SQLException {
        List<Long> ids = prunable(c, keep);
        return new Batch(ids.size(), delete(c, ids, keep));
    }

    static List<Long> prunable(Connection c, Duration keep) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM queue_job WHERE " + PRUNABLE
                + " LIMIT " + BATCH)) {
            select.setLong(1, -keep.toSeconds());
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    /** Deletes those of the jobs that are still prunable, with their attempts and callbacks; returns how many. */
    static int delete(Connection c, List<Long> ids, Duration keep) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        int deleted;
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM queue_job WHERE id IN (" + in + ") AND "
                + PRUNABLE)) {
            delete.setLong(1, -keep.toSeconds());
            deleted = delete.executeUpdate();
        }
        String gone = "SELECT 1 FROM queue_job j WHERE j.id = job_id";
        for (String table : new String[] {"queue_attempt", "queue_callback"}) {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE job_id IN (" + in
                    + ") AND NOT EXISTS (" + gone + ")")) {
                delete.executeUpdate();
            }
        }
        return deleted;
    }
}
