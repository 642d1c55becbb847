package io.queueserver.ops;

import io.queueserver.api.WaitRoom;
import io.queueserver.core.LimitRule;
import io.queueserver.store.Limits;
import java.util.Set;

import io.queueserver.core.AttemptId;

import io.queueserver.core.CallbackDelivered;
import io.queueserver.core.JobsRescued;

import io.queueserver.engine.Engine;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobState;
import io.queueserver.store.JobStore;
import io.queueserver.core.JobSubmitted;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.JobEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

import java.util.EnumMap;
import java.util.Map;

/**
 * Queue metrics in Payara's {@code /metrics} (Prometheus): jobs submitted, started, finished by outcome, rescued,
 * callback deliveries by outcome, job duration; gauges of running (this node) and waiting (all nodes, refreshed
 * at most every 2 s), and per key or pattern with a flow-control rule (at most {@value #LABELLED_KEYS} labelled keys,
 * whatever the number of keys jobs use).
 */
@ApplicationScoped
public class QueueMetrics {
    private static final long COUNTS_TTL_MILLIS = 2_000;

    @Inject
    MetricRegistry registry;

    @Inject
    Engine engine;

    @Inject
    JobStore store;

    @Inject
    Limits limits;

    @Inject
    WaitRoom waits;

    /** Keys that get gauges of their own: those with a rule, at most this many, so labels stay bounded. */
    static final int LABELLED_KEYS = 100;
    private volatile Map<String, long[]> keyCounts = Map.of();
    private volatile long keyCountsAt;
    private final Set<String> labelled = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Start times of this node's running attempts; an attempt that never reports its end here (cancelled on
     * another node, its result dropped) is forgotten once more than {@value #TRACKED} are tracked. */
    private final Map<AttemptId, Long> startedNanos = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<AttemptId, Long> eldest) {
                    return size() > TRACKED;
                }
            });
    static final int TRACKED = 100_000;
    // looked up once: a registry lookup per job event showed in the profile of busy nodes
    private Counter submitted;
    private Counter started;
    private final Map<JobState, Counter> finished = new EnumMap<>(JobState.class);
    private Histogram duration;
    // registered at start, so that a dashboard finds every series at 0 before the first rescue or delivery
    private Counter rescued;
    private Counter poisoned;
    private Counter delivered;
    private Counter undelivered;
    private volatile Map<JobState, Long> counts = Map.of();
    private volatile long countsAt;

    @PostConstruct
    void register() {
        registry.gauge(Metadata.builder().withName("queue_jobs_running")
                .withDescription("jobs running on this node").build(), engine, e -> e.maxSlots() - e.freeSlots());
        registry.gauge(Metadata.builder().withName("queue_jobs_waiting")
                .withDescription("jobs waiting, including scheduled, on all nodes").build(), this, m -> m.waiting());
        registry.gauge(Metadata.builder().withName("queue_limited_keys")
                .withDescription("flow-control rules of keys and patterns; the first " + LABELLED_KEYS
                        + " have queue_key_waiting and queue_key_running gauges").build(), this, m -> m.keyCounts().size());
        registry.gauge(Metadata.builder().withName("queue_wait_requests")
                .withDescription("requests waiting for a job's end on this node (GET /jobs/{id}/wait, Prefer: wait)")
                .build(), waits, WaitRoom::waiters);
        registry.gauge(Metadata.builder().withName("queue_threads_max")
                .withDescription("max_threads of this node").build(), engine, e -> e.maxSlots());
        submitted = registry.counter("queue_jobs_submitted");
        started = registry.counter("queue_jobs_started");
        for (JobState state : JobState.values()) {
            if (state.isFinal()) {
                finished.put(state, registry.counter("queue_jobs_finished", new Tag("outcome", state.label())));
            }
        }
        rescued = registry.counter("queue_jobs_rescued");
        poisoned = registry.counter("queue_jobs_poisoned");
        delivered = registry.counter("queue_callback_deliveries", new Tag("outcome", "delivered"));
        undelivered = registry.counter("queue_callback_deliveries", new Tag("outcome", "failed"));
        duration = registry.histogram(Metadata.builder().withName("queue_job_duration").withUnit(MetricUnits.MILLISECONDS)
                .withDescription("duration of finished jobs run on this node").build());
    }

    void submitted(@Observes @Priority(JobEvents.SERVER) JobSubmitted e) {
        submitted.inc();
    }

    void started(@Observes @Priority(JobEvents.SERVER) JobStarted e) {
        started.inc();
        startedNanos.put(new AttemptId(e.id(), e.attempt()), System.nanoTime());
    }

    void finished(@Observes @Priority(JobEvents.SERVER) JobFinished e) {
        Counter outcome = finished.get(e.state());
        if (outcome != null) {
            outcome.inc();
        }
        Long start = startedNanos.remove(new AttemptId(e.id(), e.attempt()));
        if (start != null) {
            duration.update((System.nanoTime() - start) / 1_000_000);
        }
    }

    void rescued(@Observes @Priority(JobEvents.SERVER) JobsRescued e) {
        rescued.inc(e.rescued());
        poisoned.inc(e.poisoned());
    }

    void callbackDelivered(@Observes @Priority(JobEvents.SERVER) CallbackDelivered e) {
        (e.delivered() ? delivered : undelivered).inc();
    }

    /**
     * Waiting and running jobs per key or pattern that has a rule, refreshed at most every 2 s; registers the gauges
     * of rules that appeared and removes those of rules that went.
     */
    private Map<String, long[]> keyCounts() {
        if (System.currentTimeMillis() - keyCountsAt > COUNTS_TTL_MILLIS) {
            keyCountsAt = System.currentTimeMillis();
            try {
                Map<String, long[]> fresh = new java.util.TreeMap<>();
                for (LimitRule rule : limits.book().all()) {
                    long[] n = fresh.size() < LABELLED_KEYS ? limits.waitingAndRunning(rule) : null;
                    if (n != null) {
                        fresh.put(rule.key(), n);
                    }
                }
                keyCounts = fresh;
                relabel(fresh.keySet());
            } catch (java.sql.SQLException | RuntimeException e) {
                // database away: keep the last known figures
            }
        }
        return keyCounts;
    }

    private void relabel(Set<String> keys) {
        for (String key : keys) {
            if (labelled.add(key)) {
                Tag tag = new Tag("key", key);
                registry.gauge(Metadata.builder().withName("queue_key_waiting")
                        .withDescription("jobs waiting of a key (or pattern) with a rule, up to 10,000").build(),
                        this, m -> m.keyCounts().getOrDefault(key, new long[2])[0], tag);
                registry.gauge(Metadata.builder().withName("queue_key_running")
                        .withDescription("jobs running of a key (or pattern) with a rule, on all nodes").build(),
                        this, m -> m.keyCounts().getOrDefault(key, new long[2])[1], tag);
            }
        }
        for (String gone : Set.copyOf(labelled)) {
            if (!keys.contains(gone)) {
                labelled.remove(gone);
                registry.remove(new org.eclipse.microprofile.metrics.MetricID("queue_key_waiting", new Tag("key", gone)));
                registry.remove(new org.eclipse.microprofile.metrics.MetricID("queue_key_running", new Tag("key", gone)));
            }
        }
    }

    private long waiting() {
        if (System.currentTimeMillis() - countsAt > COUNTS_TTL_MILLIS) {
            try {
                counts = store.counts();
            } catch (RuntimeException e) {
                // database away: keep the last known figure
            }
            countsAt = System.currentTimeMillis();
        }
        return counts.getOrDefault(JobState.WAITING, 0L) + counts.getOrDefault(JobState.SCHEDULED, 0L);
    }
}
