package io.queueserver.engine;

import jakarta.inject.Inject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobState;
import io.queueserver.core.JobSubmitted;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import io.queueserver.core.JobEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;

import javax.naming.InitialContext;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Tells the other nodes of the cluster (Payara Micro's data grid) that jobs were submitted, so their dispatchers
 * claim at once instead of at their next tick, and that a job was cancelled, so the node running it aborts it
 * at once (that attempt, or an earlier one, never a newer attempt). Messages are scoped to the installation
 * ({@link GridEnvelope}). The database stays the only authority: a lost signal only costs a tick.
 */
@ApplicationScoped
public class ClusterSignals {
    private static final Logger LOG = Logger.getLogger(ClusterSignals.class.getName());
    private static final String WAKE = "wake";
    private static final String CANCEL = "cancel:";
    private static final long MIN_WAKE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    @Resource
    ManagedThreadFactory threads;

    @Inject
    Engine engine;

    @Inject
    GridEnvelope envelope;

    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>(10_000);
    private final AtomicLong lastWake = new AtomicLong();
    private volatile ITopic<String> topic;
    private volatile UUID listener;
    private volatile boolean stopped;

    void boot(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        LOG.fine(() -> "cluster signals " + (topic == null ? "off" : "on"));
    }

    @PostConstruct
    void join() {
        try {
            HazelcastInstance grid = (HazelcastInstance) new InitialContext().lookup("payara/Hazelcast");
            ITopic<String> signals = grid.getTopic("queue-server-signals");
            listener = signals.addMessageListener(message -> {
                if (!message.getPublishingMember().localMember()) {
                    envelope.open(message.getMessageObject()).ifPresent(inbox::offer);
                }
            });
            topic = signals;
            threads.newThread(this::deliver).start();
            LOG.info(() -> "cluster signals on data grid " + grid.getConfig().getClusterName()
                    + " (" + grid.getCluster().getMembers().size() + " members)");
        } catch (Exception | LinkageError e) {
            LOG.info(() -> "no data grid (" + e + "): other nodes see new jobs at their next tick");
        }
    }

    public void onSubmitted(@Observes @Priority(JobEvents.SERVER) JobSubmitted event) {
        long now = System.nanoTime();
        long last = lastWake.get();
        if (now - last >= MIN_WAKE_INTERVAL_NANOS && lastWake.compareAndSet(last, now)) {
            publish(WAKE);
        }
    }

    public void onFinished(@Observes @Priority(JobEvents.SERVER) JobFinished event) {
        if (event.state() == JobState.CANCELLED) {
            publish(CANCEL + event.id() + ":" + event.attempt());
        }
    }

    private void publish(String signal) {
        ITopic<String> t = topic;
        if (t != null) {
            try {
                t.publishAsync(envelope.seal(signal));
            } catch (java.sql.SQLException | RuntimeException e) {
                LOG.fine(() -> "signal not sent: " + e);
            }
        }
    }

    /** Runs on a managed thread so the dispatcher is called with the application's context. */
    private void deliver() {
        while (!stopped) {
            try {
                String signal = inbox.poll(1, TimeUnit.SECONDS);
                if (WAKE.equals(signal)) {
                    engine.wake();
                } else if (signal != null && signal.startsWith(CANCEL)) {
                    String[] attempt = signal.substring(CANCEL.length()).split(":");
                    engine.abort(Long.parseLong(attempt[0]), Integer.parseInt(attempt[1]));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warning(() -> "cluster signal failed: " + e);
            }
        }
    }

    @PreDestroy
    void leave() {
        stopped = true;
        ITopic<String> t = topic;
        if (t != null && listener != null) {
            try {
                t.removeMessageListener(listener);
            } catch (RuntimeException e) {
                // the grid is shutting down too
            }
        }
    }
}
