package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.CallbacksDue;
import io.queueserver.core.JobState;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobsRescued;
import io.queueserver.core.NodeIdentity;
import io.queueserver.core.Outcome;
import io.queueserver.store.Claimer;
import io.queueserver.store.Expiry;
import io.queueserver.store.GroupCommit;
import io.queueserver.store.JobEnds;
import io.queueserver.store.Limits;
import io.queueserver.store.Completer;
import io.queueserver.store.Leases;
import io.queueserver.store.NodeRegistry;
import io.queueserver.store.Redrives;
import io.queueserver.store.Breakers;
import io.queueserver.core.Claim;
import io.queueserver.security.Audit;
import io.queueserver.security.SecretBox;
import io.queueserver.workers.ExecWorker;
import io.queueserver.workers.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The dispatcher: builds this node's engine at start and drives its loops, each on a managed executor of its own so
 * that no loop ever waits behind another (a long rescue never delays a claim or a heartbeat). Claims are woken by
 * submits and by a tick that also promotes scheduled jobs; results are recorded in batches; the heartbeat renews the
 * node's leases; maintenance rescues dead nodes' jobs. Stopping lets running jobs finish for a grace period while the
 * heartbeat goes on, then hands the rest back.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "LimitDefaults"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
@ManagedScheduledExecutorDefinition(name = Dispatcher.CLAIMS, maxAsync = 2)
@ManagedScheduledExecutorDefinition(name = Dispatcher.HEARTBEAT, maxAsync = 1)
@ManagedScheduledExecutorDefinition(name = Dispatcher.MAINTENANCE, maxAsync = 2)
@ManagedExecutorDefinition(name = Dispatcher.RECORDS, maxAsync = 2)
@ManagedExecutorDefinition(name = Dispatcher.WORKERS, maxAsync = 4)
@ManagedExecutorDefinition(name = ExecWorker.EXECUTOR)
public class Dispatcher {
    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());
    static final String CLAIMS = "java:app/concurrent/queue-claims";
    static final String HEARTBEAT = "java:app/concurrent/queue-heartbeat";
    static final String MAINTENANCE = "java:app/concurrent/queue-maintenance";
    static final String RECORDS = "java:app/concurrent/queue-records";
    public static final String WORKERS = "java:app/concurrent/queue-workers";

    @Resource(lookup = CLAIMS)
    ManagedScheduledExecutorService claimsExecutor;

    @Resource(lookup = HEARTBEAT)
    ManagedScheduledExecutorService heartbeatExecutor;

    @Resource(lookup = MAINTENANCE)
    ManagedScheduledExecutorService maintenanceExecutor;

    @Resource(lookup = RECORDS)
    ManagedExecutorService recordsExecutor;

    @Resource(lookup = WORKERS)
    ManagedExecutorService workersExecutor;

    @Inject
    Engine engine;

    @Inject
    Claimer claimer;

    @Inject
    GroupCommit groupCommit;

    @Inject
    Limits limits;

    @Inject
    Expiry expiry;

    @Inject
    JobEnds jobEnds;

    @Inject
    Completer completer;

    @Inject
    Leases leases;

    @Inject
    NodeRegistry nodes;

    @Inject
    Redrives redrives;

    @Inject
    Workers workers;

    @Inject
    NodeIdentity node;

    @Inject
    JobEvents events;

    @Inject
    SecretBox secrets;

    @Inject
    @ConfigProperty(name = "queue.max.threads", defaultValue = "20")
    int maxThreads;

    /** Slots left free for keys whose waiting jobs they take whole (README "Flow control"); default: 1 from 10 slots on. */
    @Inject
    @ConfigProperty(name = "queue.reserved.slots")
    java.util.Optional<Integer> reservedSlots;

    @Inject
    @ConfigProperty(name = "queue.dispatch.tick.ms", defaultValue = "500")
    long tickMillis;

    @Inject
    @ConfigProperty(name = "queue.lease.seconds", defaultValue = "30")
    long leaseSeconds;

    @Inject
    @ConfigProperty(name = "queue.shutdown.grace.seconds", defaultValue = "10")
    long graceSeconds;

    /** The circuit breaker per target host: {@code off} or {@code on} (README "Per-host circuit breaker"). */
    @Inject
    @ConfigProperty(name = "queue.breaker", defaultValue = "off")
    String breaker;

    @Inject
    @ConfigProperty(name = "queue.breaker.window", defaultValue = "20")
    int breakerWindow;

    @Inject
    @ConfigProperty(name = "queue.breaker.failure.rate", defaultValue = "0.5")
    double breakerFailureRate;

    @Inject
    @ConfigProperty(name = "queue.breaker.refused", defaultValue = "3")
    int breakerRefused;

    @Inject
    @ConfigProperty(name = "queue.breaker.cooldown.seconds", defaultValue = "30")
    long breakerCooldownSeconds;

    @Inject
    Breakers breakersStore;

    /** A worker gets this long past a job's timeout to end the job itself before the server ends it. */
    private static final long DEADLINE_MARGIN_SECONDS = 30;

    /** The longest a worker may take on a job that sets no timeout of its own. */
    @Inject
    @ConfigProperty(name = "queue.worker.deadline.seconds", defaultValue = "86400")
    long deadlineSeconds;

    private final DatabaseBackoff backoff = new DatabaseBackoff(LOG, "dispatcher");
    private Capacity capacity;
    private RunningAttempts running;
    private ClaimLoop claims;
    private Launcher launcher;
    private Recorder recorder;
    private Heartbeat heartbeat;
    /** Null when QUEUE_BREAKER is off: then nothing of it runs. */
    private HostBreakers breakers;
    private List<ScheduledFuture<?>> loops;
    private ScheduledFuture<?> beating;

    @PostConstruct
    void start() {
        long leaseMicros = TimeUnit.SECONDS.toMicros(leaseSeconds);
        Duration beatInterval = Duration.ofMillis(Math.max(1, TimeUnit.SECONDS.toMillis(leaseSeconds) / 3));
        String id = node.id();
        capacity = new Capacity(maxThreads, reservedSlots.orElse(Capacity.defaultReserve(maxThreads)));
        running = new RunningAttempts();
        recorder = new Recorder(batch -> completer.finishAll(batch, id), this::recorded, () -> claims.wakeIfBacklog(),
                recordsExecutor, (task, millis) -> claimsExecutor.schedule(task, millis, TimeUnit.MILLISECONDS), backoff);
        launcher = new Launcher(workersExecutor, workers::find, running, recorder, events::fire, id, deadlineSeconds,
                DEADLINE_MARGIN_SECONDS, this::interrupted, secrets::open);
        HostBreakers.Settings breakerSettings = HostBreakers.Settings.of(breaker, breakerWindow, breakerFailureRate,
                breakerRefused, breakerCooldownSeconds, leaseSeconds);
        breakers = breakerSettings == null ? null : new HostBreakers(breakersStore, breakerSettings, id, Clock.systemUTC());
        claims = new ClaimLoop(capacity, running, ask -> claimer.claim(ask.slots(), ask.reserve(), id, leaseMicros),
                keys -> claimer.claimNewKeys(keys.keys(), keys.max(), keys.reserve(), id, leaseMicros), this::launch, claimsExecutor,
                (task, millis) -> claimsExecutor.schedule(task, millis, TimeUnit.MILLISECONDS), backoff);
        heartbeat = new Heartbeat(id, new Heartbeat.Store(n -> {
            nodes.beat(n);
            return null;
        }, ids -> leases.renew(id, ids, leaseMicros), leases::owned, ids -> leases.handBack(id, ids)),
                running, n -> claims.wake(), Clock.systemUTC(), beatInterval, backoff);
        Redriver redriver = new Redriver(redrives, () -> {
            claims.noteBacklog();
            claims.wake();
        }, redrive -> Audit.redriveEnded(redrive, "done"), backoff);
        Rescuer rescuer = new Rescuer(connected -> leases.rescueDead(leaseMicros, Rescuer.LIMIT, connected),
                heartbeat::connectedFor, Duration.ofSeconds(leaseSeconds), this::rescued, backoff);
        engine.start(new Engine.Parts(capacity, running, claims, launcher, jobId -> claimer.claimOne(jobId, id, leaseMicros),
                breakers));
        groupCommit.whenCommitted(engine::submitted);
        heartbeat.beat();
        beating = heartbeatExecutor.scheduleWithFixedDelay(guarded("heartbeat", heartbeat::beat),
                beatInterval.toMillis(), beatInterval.toMillis(), TimeUnit.MILLISECONDS);
        loops = List.of(
                claimsExecutor.scheduleWithFixedDelay(guarded("tick", this::tick), tickMillis, tickMillis,
                        TimeUnit.MILLISECONDS),
                maintenanceExecutor.scheduleWithFixedDelay(guarded("rescue", rescuer::round), 5, 5, TimeUnit.SECONDS),
                maintenanceExecutor.scheduleWithFixedDelay(guarded("redrive", redriver::round), Redriver.TICK_MILLIS,
                        Redriver.TICK_MILLIS, TimeUnit.MILLISECONDS));
        LOG.info(() -> "dispatcher " + id + " started with " + capacity.max() + " slots");
    }

    /** Claimed jobs start, except those whose host's circuit breaker holds them back: they are recorded paused. */
    private void launch(List<Claim> batch) {
        List<Claim> start = breakers == null ? batch : breakers.admit(batch, recorder::add);
        if (!start.isEmpty()) {
            launcher.launch(start);
        }
    }

    /** A scheduled task that throws is never run again: nothing may escape. */
    public static Runnable guarded(String name, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(Level.WARNING, name + " failed", t);
            }
        };
    }

    private void tick() {
        engine.ticked();
        if (backoff.waiting()) {
            return;
        }
        try {
            claimer.promoteDue();
            limits.book(); // read again when older than its refresh: submits use it without waiting on the database
            if (breakers != null) {
                breakers.refresh();
            }
            List<JobFinished> expired = expiry.expireDue();
            if (!expired.isEmpty()) {
                expired.forEach(events::fire);
                events.fire(new CallbacksDue());
            }
            if (jobEnds.sweep()) {
                events.fire(new CallbacksDue());
            }
            backoff.succeeded();
        } catch (Exception e) {
            backoff.failed(e);
            return;
        }
        claims.noteBacklog();
        claims.wake();
    }

    private void recorded(Recorder.Recorded r) {
        Recorder.Result result = r.result();
        running.remove(result.claim().attemptId());
        if (result.slotTaken()) {
            capacity.release(1);
        }
        result.recorded().complete(result.outcome());
        if (result.claim().dependents() > 0 && r.state().filter(JobState::isFinal).isPresent()) {
            claims.wake(); // its end may have released the jobs that depend on it
        }
        Outcome outcome = result.outcome();
        if (breakers != null && r.state().isPresent()) {
            breakers.observe(result.claim(), outcome);
        }
        if (r.state().isEmpty()) {
            LOG.info(() -> "job " + result.claim().id() + " attempt " + result.claim().attempt()
                    + ": no longer this node's, result dropped");
        } else if (r.state().get().isFinal()) {
            events.fire(new JobFinished(result.claim().id(), result.claim().attempt(), result.claim().context(),
                    r.state().get(), outcome.returnCode(), outcome.error()));
        }
    }

    /** An attempt the server's stop interrupted goes back to the queue at once; it does not count. */
    private void interrupted(RunningAttempts.Entry entry) {
        running.remove(entry.claim.attemptId());
        if (entry.slotTaken) {
            capacity.release(1);
        }
        try {
            leases.handBack(node.id(), Set.of(entry.claim.attemptId()));
        } catch (Exception e) {
            LOG.fine(() -> "job " + entry.claim.id() + " not handed back yet (" + e + "); the stop or the heartbeat will");
        }
    }

    private void rescued(Leases.Rescued result) {
        events.fire(new JobsRescued(result.requeued().size(), result.poisoned().size()));
        result.poisoned().forEach(events::fire);
        claims.noteBacklog();
        claims.wake();
    }

    @PreDestroy
    void stop() {
        claims.stop();
        loops.forEach(loop -> loop.cancel(false));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(graceSeconds);
        while ((!running.isEmpty() || recorder.pending() > 0) && System.nanoTime() < deadline && pause()) {
            // running jobs finish and are recorded; the heartbeat keeps their leases meanwhile
        }
        launcher.stopping();
        running.abortAll();
        long recording = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (recorder.pending() > 0 && System.nanoTime() < recording && pause()) {
            // results that arrived before the abort are still recorded
        }
        beating.cancel(false);
        try {
            Set<AttemptId> owned = leases.owned(node.id());
            int handed = owned.isEmpty() ? 0 : leases.handBack(node.id(), owned);
            nodes.leave(node.id());
            LOG.info(() -> "dispatcher stopped; " + handed + " unfinished jobs handed back to the queue");
        } catch (Exception e) {
            LOG.warning(() -> "could not hand back unfinished jobs; other nodes rescue them when their lease ends: " + e);
        }
    }

    private static boolean pause() {
        try {
            Thread.sleep(50);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
