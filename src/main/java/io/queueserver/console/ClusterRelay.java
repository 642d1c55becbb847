package io.queueserver.console;

import io.queueserver.engine.GridEnvelope;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.naming.InitialContext;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Carries dashboard events to every node of the cluster through a topic of Payara's data grid (Hazelcast), so a
 * browser connected to node B sees the jobs node A runs. The topic also delivers to this node. Events are sent in
 * batches, one message every {@value #SEND_EVERY_MS} ms at most: a message per job event would cost the data grid
 * more than the job. Without a data grid (Payara started with {@code --nohazelcast}) events stay on this node.
 */
@ApplicationScoped
public class ClusterRelay {
    static final String TOPIC = "queue-server.console.events";
    static final long SEND_EVERY_MS = 50;
    private static final Logger LOG = Logger.getLogger(ClusterRelay.class.getName());

    @Inject
    EventStream stream;

    @Inject
    GridEnvelope envelope;

    @Resource
    ManagedThreadFactory threads;

    /** A plain timer: a managed executor would capture the application's context for every batch. */
    private ScheduledExecutorService timer;

    private final ConcurrentLinkedQueue<String> outgoing = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sendScheduled = new AtomicBoolean();
    private volatile Consumer<String> publisher;
    /** Null without a data grid. */
    private volatile HazelcastInstance grid;
    private Runnable unsubscribe = () -> { };

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        EventStream.Inbox inbox = stream.inbox();
        publisher = inbox::offer;
        try {
            HazelcastInstance grid = (HazelcastInstance) new InitialContext().lookup("payara/Hazelcast");
            ITopic<String> topic = grid.getTopic(TOPIC);
            UUID registration = topic.addMessageListener(message -> envelope.open(message.getMessageObject())
                    .ifPresent(batch -> {
                        for (String json : batch.split("\n")) {
                            inbox.offer(json);
                        }
                    }));
            unsubscribe = () -> topic.removeMessageListener(registration);
            this.grid = grid;
            timer = Executors.newSingleThreadScheduledExecutor(threads);
            publisher = json -> {
                outgoing.add(json);
                if (sendScheduled.compareAndSet(false, true)) {
                    timer.schedule(() -> send(topic), SEND_EVERY_MS, TimeUnit.MILLISECONDS);
                }
            };
            LOG.info(() -> "dashboard events are shared with the cluster " + grid.getConfig().getClusterName());
        } catch (Exception | LinkageError e) {
            LOG.info(() -> "no data grid (" + e + "): dashboard events stay on this node");
        }
    }

    /**
     * Whether an event published now may reach a browser: one connected here, or, while the data grid has other
     * members, one connected to them.
     */
    boolean reachesBrowsers() {
        HazelcastInstance g = grid;
        return stream.hasBrowsers() || g != null && g.getCluster().getMembers().size() > 1;
    }

    void publish(String json) {
        Consumer<String> p = publisher;
        if (p == null) {
            return;
        }
        try {
            p.accept(json);
        } catch (RuntimeException e) {
            // a grid in trouble must not disturb the job that fired the event; this node's browsers still get it
            stream.inbox().offer(json);
        }
    }

    /** One message for the events gathered meanwhile (JSON text has no raw line breaks); never waits for members. */
    private void send(ITopic<String> topic) {
        sendScheduled.set(false);
        StringBuilder batch = new StringBuilder();
        for (String json; (json = outgoing.poll()) != null; ) {
            batch.append(batch.isEmpty() ? "" : "\n").append(json);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            topic.publishAsync(envelope.seal(batch.toString()));
        } catch (java.sql.SQLException | RuntimeException e) {
            // a grid in trouble must not lose this node's events for its own browsers
            for (String json : batch.toString().split("\n")) {
                stream.inbox().offer(json);
            }
        }
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdown();
        }
        try {
            unsubscribe.run();
        } catch (RuntimeException e) {
            LOG.fine(() -> "topic listener not removed: " + e);
        }
    }
}
