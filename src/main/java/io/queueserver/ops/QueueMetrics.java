package io.queueserver.ops;

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
 * at most every 2 s).
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
    private volatile Map<JobState, Long> counts = Map.of();
    private volatile long countsAt;

    @PostConstruct
    void register() {
        registry.gauge(Metadata.builder().withName("queue_jobs_running")
                .withDescription("jobs running on this node").build(), engine, e -> e.maxSlots() - e.freeSlots());
        registry.gauge(Metadata.builder().withName("queue_jobs_waiting")
                .withDescription("jobs waiting, including scheduled, on all nodes").build(), this, m -> m.waiting());
        registry.gauge(Metadata.builder().withName("queue_threads_max")
                .withDescription("max_threads of this node").build(), engine, e -> e.maxSlots());
        submitted = registry.counter("queue_jobs_submitted");
        started = registry.counter("queue_jobs_started");
        for (JobState state : JobState.values()) {
            if (state.isFinal()) {
                finished.put(state, registry.counter("queue_jobs_finished", new Tag("outcome", state.label())));
            }
        }
        duration = registry.histogram(Metadata.builder().withName("queue_job_duration").withUnit(MetricUnits.MILLISECONDS)
                .withDescription("duration of finished jobs run on this node").build());
    }

    void submitted(@Observes JobSubmitted e) {
        submitted.inc();
    }

    void started(@Observes JobStarted e) {
        started.inc();
        startedNanos.put(new AttemptId(e.id(), e.attempt()), System.nanoTime());
    }

    void finished(@Observes JobFinished e) {
        Counter outcome = finished.get(e.state());
        if (outcome != null) {
            outcome.inc();
        }
        Long start = startedNanos.remove(new AttemptId(e.id(), e.attempt()));
        if (start != null) {
            duration.update((System.nanoTime() - start) / 1_000_000);
        }
    }

    void rescued(@Observes JobsRescued e) {
        registry.counter("queue_jobs_rescued").inc(e.rescued());
        registry.counter("queue_jobs_poisoned").inc(e.poisoned());
    }

    void callbackDelivered(@Observes CallbackDelivered e) {
        registry.counter("queue_callback_deliveries", new Tag("outcome", e.delivered() ? "delivered" : "failed")).inc();
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
