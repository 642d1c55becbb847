package io.queueserver.console;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.naming.InitialContext;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Carries dashboard events to every node of the cluster through a topic of Payara's data grid (Hazelcast), so a
 * browser connected to node B sees the jobs node A runs. The topic also delivers to this node. Without a data
 * grid (Payara started with {@code --nohazelcast}) events stay on this node.
 */
@ApplicationScoped
public class ClusterRelay {
    static final String TOPIC = "queue-server.console.events";
    private static final Logger LOG = Logger.getLogger(ClusterRelay.class.getName());

    @Inject
    EventStream stream;

    private volatile Consumer<String> publisher;
    private Runnable unsubscribe = () -> { };

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        EventStream.Inbox inbox = stream.inbox();
        publisher = inbox::offer;
        try {
            HazelcastInstance grid = (HazelcastInstance) new InitialContext().lookup("payara/Hazelcast");
            ITopic<String> topic = grid.getTopic(TOPIC);
            UUID registration = topic.addMessageListener(message -> inbox.offer(message.getMessageObject()));
            unsubscribe = () -> topic.removeMessageListener(registration);
            publisher = topic::publishAsync; // never wait for other members on the job's thread
            LOG.info(() -> "dashboard events are shared with the cluster " + grid.getConfig().getClusterName());
        } catch (Exception | LinkageError e) {
            LOG.info(() -> "no data grid (" + e + "): dashboard events stay on this node");
        }
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

    @PreDestroy
    void stop() {
        try {
            unsubscribe.run();
        } catch (RuntimeException e) {
            LOG.fine(() -> "topic listener not removed: " + e);
        }
    }
}
