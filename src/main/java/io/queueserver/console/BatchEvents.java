package io.queueserver.console;

import io.queueserver.store.BatchStore;
import io.queueserver.store.ChangedBatches;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Live batch progress for the dashboard ({@code event: batch}): every {@value #EVERY_MS} ms, the batches this node's
 * transactions changed meanwhile are read again (one query for all of them) and their summaries sent to every node.
 * However many of its jobs end, a batch costs at most one read and one event per period and node; nothing is read
 * while no browser can receive it.
 */
@ApplicationScoped
public class BatchEvents {
    static final long EVERY_MS = 250;
    static final int MAX_PER_READ = 500;
    private static final Logger LOG = Logger.getLogger(BatchEvents.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    ChangedBatches changed;

    @Inject
    BatchStore store;

    @Inject
    ClusterRelay relay;

    private ScheduledFuture<?> schedule;

    synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        if (schedule == null) {
            schedule = scheduler.scheduleWithFixedDelay(this::publish, EVERY_MS, EVERY_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void publish() {
        Set<Long> ids = changed.take(MAX_PER_READ);
        if (ids.isEmpty() || !relay.reachesBrowsers()) {
            return;
        }
        try {
            for (JsonObject batch : store.summaries(ids)) {
                relay.publish(EventStream.named("batch", batch.toString()));
            }
        } catch (Throwable t) {
            changed.again(ids);
            LOG.fine(() -> "batch progress not sent: " + t);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }
}
