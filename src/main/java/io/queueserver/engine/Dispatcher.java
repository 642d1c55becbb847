package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.NodeIdentity;
import io.queueserver.store.Claimer;
import io.queueserver.store.Completer;
import io.queueserver.store.Leases;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobState;
import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.core.Placeholders;
import io.queueserver.core.Worker;
import io.queueserver.workers.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import io.queueserver.store.SchemaMigrator;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobsRescued;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Claims due jobs into this node's free slots and runs them. A submit wakes it at once; the tick is only the
 * fallback (jobs submitted on other nodes, scheduled jobs coming due). No transaction or connection is held
 * while a job runs: claim, run, record are separate steps. A plain CDI bean started with the application (after the
 * schema migration): submits and completions call it per job, which an EJB would tax with a container invocation.
 */
@ApplicationScoped
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    private static final int MAX_CLAIM = 100;

    @EJB
    SchemaMigrator schema;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Resource
    ManagedThreadFactory threads;

    @Inject
    io.queueserver.security.SecretBox secrets;

    @Inject
    Claimer claimer;

    @Inject
    Completer completer;

    @Inject
    Leases leases;

    @Inject
    Workers workers;

    @Inject
    Capacity capacity;

    @Inject
    NodeIdentity node;

    @Inject
    JobEvents events;


    @Inject
    @ConfigProperty(name = "queue.dispatch.tick.ms", defaultValue = "500")
    long tickMillis;

    @Inject
    @ConfigProperty(name = "queue.lease.seconds", defaultValue = "30")
    long leaseSeconds;

    @Inject
    @ConfigProperty(name = "queue.shutdown.grace.seconds", defaultValue = "10")
    long graceSeconds;

    private final Map<Long, CompletableFuture<Outcome>> running = new ConcurrentHashMap<>();
    private final Queue<Recording> toRecord = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean recording = new AtomicBoolean();
    /** Claim rounds and recording: plain threads of the container's factory, no per-task context capture. */
    private ExecutorService pool;
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final DatabaseBackoff databaseBackoff = new DatabaseBackoff(LOG, "dispatcher");
    private volatile boolean backlog = true;
    private volatile long lastTickMillis = System.currentTimeMillis();
    private volatile boolean stopping;
    private List<ScheduledFuture<?>> schedules;

    void boot(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        LOG.fine(() -> "dispatcher " + node.id() + " ready at schema version " + schema.version());
    }

    @PostConstruct
    void start() {
        schema.version(); // the schema is migrated before the first claim
        pool = Executors.newFixedThreadPool(2, threads);
        long heartbeat = Math.max(1, leaseSeconds / 3);
        schedules = List.of(
                scheduler.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS),
                scheduler.scheduleWithFixedDelay(this::rescue, 5, 5, TimeUnit.SECONDS));
        // its own thread: a heartbeat stuck behind busy claim rounds would let leases expire under load
        threads.newThread(() -> {
            while (!stopping && sleep(TimeUnit.SECONDS.toMillis(heartbeat))) {
                heartbeat();
            }
        }).start();
        LOG.info(() -> "dispatcher " + node.id() + " started with " + capacity.max() + " slots");
    }

    /** Asks for a claim round soon; rounds never overlap and a request made during one is not lost. */
    public void wake() {
        if (stopping) {
            return;
        }
        wakeRequested.set(true);
        if (draining.compareAndSet(false, true)) {
            pool.execute(this::drain);
        }
    }

    public long lastTickMillis() {
        return lastTickMillis;
    }

    public int running() {
        return running.size();
    }

    /** Cancels this node's attempt of a job, if it runs one; true when it did. */
    public boolean abort(long jobId) {
        CompletableFuture<Outcome> attempt = running.get(jobId);
        return attempt != null && attempt.cancel(true);
    }

    private void tick() {
        lastTickMillis = System.currentTimeMillis();
        try {
            if (stopping || databaseBackoff.waiting()) {
                return;
            }
            claimer.promoteDue();
            databaseBackoff.succeeded();
            backlog = true;
            wake();
        } catch (Throwable t) {
            databaseBackoff.failed(t);
        }
    }

    private void drain() {
        try {
            while (wakeRequested.getAndSet(false) && !stopping) {
                claimIntoFreeSlots();
            }
        } catch (Throwable t) {
            if (DatabaseBackoff.lockConflict(t)) {
                wakeRequested.set(true);
            }
            databaseBackoff.failed(t);
        } finally {
            draining.set(false);
            if (wakeRequested.get() && !stopping && !databaseBackoff.waiting() && draining.compareAndSet(false, true)) {
                pool.execute(this::drain);
            }
        }
    }

    private void claimIntoFreeSlots() throws Exception {
        while (!stopping) {
            int slots = capacity.take(MAX_CLAIM);
            if (slots == 0) {
                backlog = true;
                return;
            }
            List<Claim> claims;
            try {
                claims = claimer.claim(slots, node.id(), TimeUnit.SECONDS.toMicros(leaseSeconds));
            } catch (Exception e) {
                capacity.release(slots);
                throw e;
            }
            capacity.release(slots - claims.size());
            databaseBackoff.succeeded();
            claims.forEach(this::run);
            if (claims.size() < slots) {
                backlog = false;
                return;
            }
        }
    }

    /**
     * Runs a job now on the calling side's behalf (the original's {@code php work.php -j123}), whatever its place in
     * the queue, streaming its output to {@code output}; recorded like any run. Empty when the job is unknown,
     * working or done.
     */
    public Optional<CompletableFuture<Outcome>> runNow(long id, Consumer<String> output) throws Exception {
        Optional<Claim> claim = claimer.claimOne(id, node.id(), TimeUnit.SECONDS.toMicros(leaseSeconds));
        return claim.map(c -> launch(c, output, false));
    }

    private void run(Claim claim) {
        launch(claim, text -> { }, true);
    }

    private CompletableFuture<Outcome> launch(Claim claim, Consumer<String> output, boolean slotTaken) {
        CompletableFuture<Outcome> attempt;
        try {
            JsonObject payload = secrets.open(Json.createReader(new StringReader(claim.payload())).readObject());
            JsonObject command = Placeholders.apply(payload.getJsonObject("command"),
                    Map.of("__JOBID__", Long.toString(claim.id())));
            Worker worker = workers.find(command.getString("type"))
                    .orElseThrow(() -> new IllegalStateException("no worker for type " + command.getString("type")));
            events.fire(new JobStarted(claim.id(), claim.attempt(), claim.context(), node.id()));
            attempt = worker.run(new JobRun(claim.id(), claim.attempt(), claim.context(), command, output));
        } catch (Throwable t) {
            attempt = CompletableFuture.completedFuture(Outcome.of(t));
        }
        running.put(claim.id(), attempt);
        CompletableFuture<Outcome> recorded = new CompletableFuture<>();
        attempt.whenComplete((outcome, failure) -> {
            if (stopping && failure instanceof java.util.concurrent.CancellationException) {
                return; // interrupted by shutdown: handed back to the queue by stop(), not a failure
            }
            toRecord.add(new Recording(claim, outcome != null ? outcome : Outcome.of(failure), slotTaken, recorded, 0));
            recordSoon();
        });
        return recorded;
    }

    /** An outcome waiting to be recorded; while the database is away it is kept (its slot stays taken). */
    private record Recording(Claim claim, Outcome outcome, boolean slotTaken, CompletableFuture<Outcome> recorded,
                             int tries) {
        Recording again() {
            return new Recording(claim, outcome, slotTaken, recorded, tries + 1);
        }
    }

    private void recordSoon() {
        if (recording.compareAndSet(false, true)) {
            pool.execute(this::recordQueued);
        }
    }

    /** Records finished attempts in batches: one transaction for all the outcomes that arrived meanwhile. */
    private void recordQueued() {
        try {
            List<Recording> batch = new ArrayList<>();
            for (Recording r = toRecord.poll(); r != null; r = toRecord.poll()) {
                batch.add(r);
                if (batch.size() == MAX_CLAIM) {
                    record(batch);
                    batch = new ArrayList<>();
                }
            }
            if (!batch.isEmpty()) {
                record(batch);
            }
        } finally {
            recording.set(false);
            if (!toRecord.isEmpty()) {
                recordSoon();
            }
        }
    }

    private void record(List<Recording> batch) {
        List<Optional<JobState>> states;
        try {
            states = completer.finishAll(batch.stream()
                    .map(r -> new Completer.Finish(r.claim(), r.outcome())).toList(), node.id());
        } catch (Throwable t) {
            databaseBackoff.failed(t);
            for (Recording r : batch) {
                if (r.tries() < 100 && !stopping) {
                    long delay = DatabaseBackoff.lockConflict(t) ? 10 : Math.min(5_000, 100L << Math.min(r.tries(), 6));
                    scheduler.schedule(() -> {
                        toRecord.add(r.again());
                        recordSoon();
                    }, delay, TimeUnit.MILLISECONDS);
                } else {
                    LOG.log(Level.WARNING, "job " + r.claim().id() + ": result could not be recorded; it will be rescued", t);
                    released(r);
                }
            }
            wakeIfBacklog();
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Recording r = batch.get(i);
            Optional<JobState> state = states.get(i);
            Outcome outcome = r.outcome();
            state.filter(JobState::isFinal).ifPresent(s -> events.fire(
                    new JobFinished(r.claim().id(), r.claim().context(), s, outcome.returnCode(), outcome.error())));
            if (state.isEmpty()) {
                LOG.info(() -> "job " + r.claim().id() + " attempt " + r.claim().attempt() + ": no longer ours, result dropped");
            }
            released(r);
        }
        wakeIfBacklog();
    }

    private void released(Recording r) {
        running.remove(r.claim().id());
        if (r.slotTaken()) {
            capacity.release(1);
        }
        r.recorded().complete(r.outcome());
    }

    /** Once per recorded batch, not per job: the freed slots are then filled by one claim. */
    private void wakeIfBacklog() {
        if (backlog) {
            wake();
        }
    }

    /** A job cancelled while it runs here is aborted at once; on other nodes the heartbeat notices. */
    public void onFinished(@Observes JobFinished event) {
        if (event.state() == JobState.CANCELLED) {
            abort(event.id());
        }
    }

    /**
     * Renews the leases of this node's jobs, and aborts local attempts whose row this node no longer owns (cancelled,
     * deleted, or rescued by another node after this one was cut off): their results would be dropped anyway.
     */
    private void heartbeat() {
        try {
            if (running.isEmpty()) {
                return;
            }
            leases.renew(node.id(), TimeUnit.SECONDS.toMicros(leaseSeconds));
            // snapshot before reading the database: every job in it was claimed (committed) before it got here
            Set<Long> candidates = Set.copyOf(running.keySet());
            Set<Long> owned = leases.owned(node.id());
            for (Long id : candidates) {
                if (!owned.contains(id) && abort(id)) {
                    LOG.info(() -> "job " + id + " is no longer ours (cancelled, deleted or rescued): attempt aborted");
                }
            }
        } catch (Throwable t) {
            databaseBackoff.failed(t);
        }
    }

    private void rescue() {
        try {
            if (databaseBackoff.waiting()) {
                return;
            }
            int[] result = leases.rescueExpired(500);
            events.fire(new JobsRescued(result[0], result[1]));
            if (result[0] > 0 || result[1] > 0) {
                LOG.warning(() -> "rescued " + result[0] + " jobs of stopped nodes; " + result[1] + " failed as poison");
                backlog = true;
                wake();
            }
        } catch (Throwable t) {
            databaseBackoff.failed(t);
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        schedules.forEach(s -> s.cancel(false));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        while (!running.isEmpty() && System.nanoTime() < deadline && sleep(50)) {
            // let running jobs finish
        }
        running.values().forEach(attempt -> attempt.cancel(true));
        pool.shutdown();
        try {
            int released = leases.release(node.id());
            LOG.info(() -> "dispatcher stopped; " + released + " unfinished jobs handed back to the queue");
        } catch (Throwable t) {
            LOG.warning(() -> "could not hand back unfinished jobs; other nodes rescue them when their lease ends: " + t);
        }
    }
}
