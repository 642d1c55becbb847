package io.queueserver.callbacks;

import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.ejb.TransactionManagementType;
import jakarta.ejb.TransactionManagement;
import io.queueserver.core.WakeLoop;
import io.queueserver.store.Delivery;

import io.queueserver.store.CallbackStore;

import io.queueserver.core.Backoff;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.NodeIdentity;
import io.queueserver.core.CallbackDelivered;
import io.queueserver.core.CallbacksDue;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.core.Placeholders;
import io.queueserver.core.Worker;
import io.queueserver.security.SecretBox;
import io.queueserver.workers.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Sends the callback outbox: due deliveries are claimed like jobs, sent through the worker of their type, and
 * retried with backoff until they succeed or {@code queue.callback.max.attempts} is reached. An http callback
 * that is not a GET receives the job's result as its JSON body, signed when {@code QUEUE_CALLBACK_SECRET} is set.
 */
@Singleton
@ApplicationScoped // so that CDI hands each event to one reference, not a new one per event (ArchitectureTest)
@Startup
@DependsOn("SchemaMigrator")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
@ManagedScheduledExecutorDefinition(name = CallbackDeliverer.EXECUTOR, maxAsync = 2)
public class CallbackDeliverer {
    private static final Logger LOG = Logger.getLogger(CallbackDeliverer.class.getName());
    static final String EXECUTOR = "java:app/concurrent/queue-callbacks";
    private static final int IN_FLIGHT = 32;

    @Resource(lookup = EXECUTOR)
    ManagedScheduledExecutorService scheduler;

    @Inject
    CallbackStore store;

    @Inject
    Workers workers;

    @Inject
    NodeIdentity node;

    @Inject
    JobEvents events;

    @Inject
    @ConfigProperty(name = "queue.callback.max.attempts", defaultValue = "10")
    int maxAttempts;

    @Inject
    @ConfigProperty(name = "queue.callback.timeout", defaultValue = "30")
    int timeoutSeconds;

    @Inject
    SecretBox secrets;

    @Inject
    @ConfigProperty(name = "queue.callback.secret")
    Optional<String> secret;

    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private final DatabaseBackoff databaseBackoff = new DatabaseBackoff(LOG, "callback delivery");
    private final Backoff retries = new Backoff(1_000, 3_600_000);
    private List<ScheduledFuture<?>> schedules;
    private volatile boolean stopping;
    private WakeLoop loop;

    @PostConstruct
    void start() {
        loop = new WakeLoop("callback delivery", scheduler, this::round);
        schedules = List.of(
                scheduler.scheduleWithFixedDelay(this::wake, 1, 1, TimeUnit.SECONDS),
                scheduler.scheduleWithFixedDelay(this::rescue, 30, 30, TimeUnit.SECONDS));
    }

    public void onCallbacksDue(@Observes @Priority(JobEvents.SERVER) CallbacksDue due) {
        wake();
    }

    public void wake() {
        if (!stopping && !databaseBackoff.waiting()) {
            loop.wake();
        }
    }

    private void round() {
        // only this loop takes slots, so the free ones stay free until taken below
        int free = slots.availablePermits();
        if (free == 0) {
            return;
        }
        List<Delivery> due;
        try {
            due = store.claim(free, node.id(), timeoutSeconds);
            databaseBackoff.succeeded();
        } catch (Throwable t) {
            databaseBackoff.failed(t);
            return;
        }
        for (Delivery d : due) {
            slots.acquireUninterruptibly();
            send(d);
        }
        if (due.size() == free) {
            loop.wake();
        }
    }

    private void send(Delivery d) {
        CompletableFuture<Outcome> sent;
        try {
            JsonObject result = d.result();
            JsonObject command = Placeholders.apply(secrets.open(d.command()), Map.of("__JOBID__", Long.toString(d.jobId()),
                    "__STATUS__", result.getString("state")));
            Worker worker = workers.find(command.getString("type"))
                    .orElseThrow(() -> new IllegalStateException("no worker for callback type"));
            JsonObject prepared = "http".equals(command.getString("type")) ? httpCallback(command, d) : command;
            sent = worker.run(new JobRun(d.jobId(), d.attempt(), result.getString("context"), prepared));
        } catch (Throwable t) {
            sent = CompletableFuture.completedFuture(Outcome.of(t));
        }
        sent.whenComplete((outcome, failure) -> scheduler.execute(() ->
                record(d, outcome != null ? outcome : Outcome.of(failure))));
    }

    /** Adds the result as JSON body (unless GET/HEAD or a body is given), the signature headers and a timeout. */
    private JsonObject httpCallback(JsonObject command, Delivery d) {
        JsonObjectBuilder b = Json.createObjectBuilder(command);
        String method = command.getString("method", "GET").toUpperCase();
        boolean sendsResult = !method.equals("GET") && !method.equals("HEAD")
                && !command.containsKey("body") && !command.containsKey("json");
        // the signature covers exactly what is sent: the result, or the callback's own body or JSON
        String body = sendsResult ? d.body() : command.containsKey("body") ? command.getString("body")
                : command.containsKey("json") ? command.get("json").toString() : "";
        JsonObjectBuilder headers = Json.createObjectBuilder(
                command.containsKey("headers") ? command.getJsonObject("headers") : JsonObject.EMPTY_JSON_OBJECT);
        if (sendsResult) {
            b.add("body", body);
            headers.add("Content-Type", "application/json");
        }
        long timestamp = System.currentTimeMillis() / 1000;
        headers.add("webhook-id", d.webhookId()).add("webhook-timestamp", Long.toString(timestamp));
        secret.filter(s -> !s.isBlank()).ifPresent(s ->
                headers.add("webhook-signature", WebhookSignature.of(s).sign(d.webhookId(), timestamp, body)));
        b.add("headers", headers);
        if (!command.containsKey("timeout")) {
            b.add("timeout", timeoutSeconds);
        }
        return b.build();
    }

    private void record(Delivery d, Outcome outcome) {
        try {
            long retryIn = outcome.success() || d.attempt() >= maxAttempts ? -1
                    : TimeUnit.MILLISECONDS.toMicros(retries.delayMillis(d.attempt()));
            store.record(d, node.id(), outcome.success(), outcome.returnCode(), outcome.error(), retryIn);
            events.fire(new CallbackDelivered(d.jobId(), d.kind(), outcome.success()));
            if (!outcome.success()) {
                LOG.info(() -> d.kind() + " of job " + d.jobId() + " failed (attempt " + d.attempt() + "): "
                        + outcome.error() + (retryIn < 0 ? "; giving up" : "; will retry"));
            }
        } catch (Throwable t) {
            databaseBackoff.failed(t);
        } finally {
            slots.release();
        }
    }

    private void rescue() {
        try {
            store.rescueExpired();
        } catch (Throwable t) {
            databaseBackoff.failed(t);
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        schedules.forEach(s -> s.cancel(false));
    }
}
