package io.queueserver.console;

import io.queueserver.engine.Engine;
import io.queueserver.core.NodeIdentity;
import io.queueserver.api.JobJson;
import io.queueserver.store.JobStore;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The browsers connected to {@code GET /jobs/events} on this node. Job and batch events arrive in an {@link Inbox}
 * (from any thread, including the data grid's) and are sent every {@value #SEND_EVERY_MS} ms; counters every
 * {@value #COUNTERS_EVERY_MS} ms. Nothing is queried or sent while no browser is connected.
 */
@ApplicationScoped
public class EventStream {
    static final long SEND_EVERY_MS = 100;
    static final long COUNTERS_EVERY_MS = 1500;
    static final int MAX_QUEUED = 2_000;
    private static final Logger LOG = Logger.getLogger(EventStream.class.getName());

    /** A bounded hand-over: under a flood of jobs, browsers get the counters and reload instead of every event. */
    static final class Inbox {
        private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private final AtomicLong dropped = new AtomicLong();
        private volatile boolean listening;

        void offer(String json) {
            if (!listening) {
                return;
            }
            if (size.incrementAndGet() > MAX_QUEUED) {
                size.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
            queue.add(json);
        }

        List<String> take() {
            List<String> taken = new ArrayList<>();
            for (String s; (s = queue.poll()) != null; ) {
                size.decrementAndGet();
                taken.add(s);
            }
            return taken;
        }
    }

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    JobStore store;

    @Inject
    Engine engine;

    @Inject
    NodeIdentity node;

    private final Inbox inbox = new Inbox();
    private final Set<SseEventSink> sinks = ConcurrentHashMap.newKeySet();
    private volatile Sse sse;
    private List<ScheduledFuture<?>> schedules;

    Inbox inbox() {
        return inbox;
    }

    /**
     * An event as the inbox and the data grid carry it: a job event is its JSON alone, any other its name, a space and
     * its JSON.
     */
    static String named(String name, String json) {
        return name + " " + json;
    }

    boolean hasBrowsers() {
        return !sinks.isEmpty();
    }

    /**
     * The timers start with the application, never from a browser's request: a task scheduled from a request would
     * carry that request's context, which ends with the request.
     */
    synchronized void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        if (schedules == null) {
            schedules = List.of(
                    scheduler.scheduleWithFixedDelay(this::sendJobEvents, SEND_EVERY_MS, SEND_EVERY_MS, TimeUnit.MILLISECONDS),
                    scheduler.scheduleWithFixedDelay(this::sendCounters, COUNTERS_EVERY_MS, COUNTERS_EVERY_MS,
                            TimeUnit.MILLISECONDS));
        }
    }

    synchronized void register(SseEventSink sink, Sse sse, JsonObject throughput) {
        this.sse = sse;
        sinks.add(sink);
        inbox.listening = true;
        send(sink, event("hello", Json.createObjectBuilder().add("node", node.id()).build().toString()));
        send(sink, event("counters", counters().toString()));
        send(sink, event("throughput", throughput.toString()));
    }

    private void sendJobEvents() {
        try {
            if (sinks.isEmpty()) {
                inbox.listening = false;
                inbox.take();
                return;
            }
            for (String carried : inbox.take()) {
                int space = carried.indexOf(' ');
                broadcast(carried.startsWith("{") ? event("job", carried)
                        : event(carried.substring(0, space), carried.substring(space + 1)));
            }
        } catch (Throwable t) {
            LOG.warning(() -> "dashboard events not sent: " + t);
        }
    }

    private void sendCounters() {
        try {
            if (!sinks.isEmpty()) {
                broadcast(event("counters", counters().toString()));
            }
        } catch (Throwable t) {
            LOG.fine(() -> "dashboard counters not sent: " + t);
        }
    }

    /** The numbers of {@code GET /jobs/status}, plus how many job events were skipped under load. */
    JsonObject counters() {
        return JobJson.statusCounters(store.counts(), engine.maxSlots(), engine.freeSlots())
                .add("node", node.id())
                .add("dropped_events", inbox.dropped.get())
                .build();
    }

    private OutboundSseEvent event(String name, String data) {
        return sse.newEventBuilder().name(name).mediaType(MediaType.TEXT_PLAIN_TYPE).data(String.class, data).build();
    }

    private void broadcast(OutboundSseEvent event) {
        for (SseEventSink sink : sinks) {
            send(sink, event);
        }
    }

    private void send(SseEventSink sink, OutboundSseEvent event) {
        if (sink.isClosed()) {
            sinks.remove(sink);
            return;
        }
        try {
            sink.send(event).whenComplete((ok, failure) -> {
                if (failure != null) {
                    drop(sink);
                }
            });
        } catch (RuntimeException e) {
            drop(sink);
        }
    }

    private void drop(SseEventSink sink) {
        sinks.remove(sink);
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.finest(() -> "closing a gone browser's stream: " + e);
        }
    }

    @PreDestroy
    synchronized void stop() {
        if (schedules != null) {
            schedules.forEach(s -> s.cancel(false));
        }
        sinks.forEach(this::drop);
    }
}
