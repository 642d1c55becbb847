package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Job;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.core.Problems;
import io.queueserver.store.JobStore;
import io.queueserver.store.Transactions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Requests waiting for a job to end ({@code GET /jobs/{id}/wait}, {@code Prefer: wait}), suspended without a thread
 * each. A waiter is answered when the job ends on this node (its {@link JobFinished}), or when a poll of the waited
 * jobs, every {@value #POLL_MILLIS} ms while there are any, finds it ended on another node; it is registered before
 * the job is first read, so no end falls between the two. At its timeout, found by the same poll, it gets the job as
 * it is then. Answers are written by the container's executor, never by the thread that recorded the job.
 */
@Singleton
@ApplicationScoped // so that CDI hands each event to one reference, not a new one per event (ArchitectureTest)
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionManagement(TransactionManagementType.BEAN)
@ManagedScheduledExecutorDefinition(name = WaitRoom.EXECUTOR, maxAsync = 2)
public class WaitRoom {
    private static final Logger LOG = Logger.getLogger(WaitRoom.class.getName());
    static final String EXECUTOR = "java:app/concurrent/queue-waits";
    static final long POLL_MILLIS = 200;

    @Inject
    JobStore store;

    @Inject
    Transactions transactions;

    /** polls, and writes the answers: a thread that recorded a job never writes to a waiting client */
    @Resource(lookup = EXECUTOR)
    ManagedScheduledExecutorService executor;

    @Inject
    @ConfigProperty(name = "queue.wait.max.seconds", defaultValue = "60")
    int maxSeconds;

    @Inject
    @ConfigProperty(name = "queue.wait.max.waiters", defaultValue = "10000")
    int maxWaiters;

    /** How a waiter is answered: with the ended job, or with the job as it is at the timeout. */
    public record Answers(Function<Job, Response> ended, Function<Job, Response> timedOut) {
    }

    /** One waiting request, answered once: by the job's end or by its timeout, whichever comes first. */
    private record Waiter(long id, AsyncResponse response, Answers answers, long deadline, AtomicBoolean answered)
            implements Delayed {
        Waiter(long id, AsyncResponse response, Answers answers, int seconds) {
            this(id, response, answers, System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds), new AtomicBoolean());
        }

        boolean claim() {
            return answered.compareAndSet(false, true);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(deadline, ((Waiter) other).deadline);
        }
    }

    private final Map<Long, List<Waiter>> waiting = new ConcurrentHashMap<>();
    /**
     * Every waiter until its timeout, answered or not: the poll answers those that are due. Timeouts are this room's
     * own rather than the container's, so that every answer, at an end or at a timeout, comes from the same executor.
     */
    private final DelayQueue<Waiter> deadlines = new DelayQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean pollFailing = new AtomicBoolean();
    private ScheduledFuture<?> poll;

    @PostConstruct
    void start() {
        poll = executor.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        poll.cancel(false);
        waiting.keySet().forEach(id -> answer(id, w -> w.answers().timedOut()));
    }

    /** Requests waiting on this node now. */
    public int waiters() {
        return count.get();
    }

    public int maxSeconds() {
        return maxSeconds;
    }

    /**
     * The seconds a client asked to wait, checked against QUEUE_WAIT_MAX_SECONDS ({@code max}). Static, so that the
     * refusal reaches the client as it is rather than wrapped by the EJB container as a system exception.
     */
    static int seconds(long asked, int max, String field) {
        if (asked < 0 || asked > max) {
            throw new InvalidField(field, "must be between 0 and " + max + " seconds (QUEUE_WAIT_MAX_SECONDS)");
        }
        return (int) asked;
    }

    /**
     * Answers {@code response} when job {@code id} has ended or after {@code seconds}. Past QUEUE_WAIT_MAX_WAITERS
     * the answer is 503 with Retry-After at once.
     */
    public void await(long id, int seconds, AsyncResponse response, Answers answers) {
        if (count.incrementAndGet() > maxWaiters) {
            count.decrementAndGet();
            response.resume(Response.fromResponse(Problems.of(503, null, maxWaiters + " requests are waiting for jobs"
                    + " on this node, its QUEUE_WAIT_MAX_WAITERS; try again later")).header("Retry-After", "1").build());
            return;
        }
        wait(id, seconds, response, answers);
    }

    /**
     * As {@link #await}, for a submit that asked to wait ({@code Prefer: wait}): its job is stored, so past
     * QUEUE_WAIT_MAX_WAITERS it is answered at once with {@code now} (the preference is not honoured) rather than 503.
     */
    public void awaitIfRoom(long id, int seconds, AsyncResponse response, Answers answers, Function<Job, Response> now) {
        if (count.incrementAndGet() > maxWaiters) { // counted in as a waiter, and out by resume()
            Waiter waiter = new Waiter(id, response, new Answers(now, now), 0);
            executor.execute(() -> resume(id, List.of(waiter), w -> now));
            return;
        }
        wait(id, seconds, response, answers);
    }

    private void wait(long id, int seconds, AsyncResponse response, Answers answers) {
        Waiter waiter = new Waiter(id, response, answers, seconds);
        if (seconds == 0) { // the job as it is now
            executor.execute(() -> resume(id, List.of(waiter), w -> job -> (job.state().isFinal() ? answers.ended()
                    : answers.timedOut()).apply(job)));
            return;
        }
        deadlines.add(waiter);
        // compute and remove are atomic per key: a waiter joins a list that is still to be answered, or a new one
        waiting.compute(id, (k, list) -> {
            List<Waiter> joined = list == null ? new CopyOnWriteArrayList<>() : list;
            joined.add(waiter);
            return joined;
        });
        poll(Set.of(id));
    }

    public void onFinished(@Observes @Priority(JobEvents.SERVER) JobFinished event) {
        if (waiting.containsKey(event.id())) {
            answer(event.id(), w -> w.answers().ended());
        }
    }

    private void poll() {
        try {
            timeOut();
            if (!waiting.isEmpty()) {
                poll(Set.copyOf(waiting.keySet()));
            }
        } catch (RuntimeException | Error e) { // a scheduled task that throws is never run again, and no one is told
            LOG.log(Level.SEVERE, "waiters not polled; the next poll tries again", e);
        }
    }

    /** Answers the waiters whose timeout has come with their jobs as they are. */
    private void timeOut() {
        Map<Long, List<Waiter>> due = new HashMap<>();
        for (Waiter w = deadlines.poll(); w != null; w = deadlines.poll()) {
            if (!w.answered().get()) {
                due.computeIfAbsent(w.id(), k -> new ArrayList<>()).add(w);
            }
        }
        due.forEach((id, list) -> {
            waiting.computeIfPresent(id, (k, still) -> {
                still.removeAll(list);
                return still.isEmpty() ? null : still;
            });
            executor.execute(() -> resume(id, list, w -> w.answers().timedOut()));
        });
    }

    private void poll(Set<Long> ids) {
        try {
            store.ended(ids).forEach(id -> answer(id, w -> w.answers().ended()));
            pollFailing.set(false);
        } catch (SQLException | RuntimeException e) {
            // once per outage: a database that is away would otherwise fill the log five times a second
            LOG.log(pollFailing.compareAndSet(false, true) ? Level.WARNING : Level.FINE,
                    "waited jobs not polled; the next poll tries again", e);
        }
    }

    /** Takes the job's waiters off the list at once (a later poll must not find them again), then answers them. */
    private void answer(long id, Function<Waiter, Function<Job, Response>> how) {
        List<Waiter> list = waiting.remove(id);
        if (list != null) {
            executor.execute(() -> resume(id, list, how));
        }
    }

    /** Answers those of the waiters of job {@code id} that no one has answered yet, reading the job once. */
    private void resume(long id, List<Waiter> waiters, Function<Waiter, Function<Job, Response>> how) {
        List<Waiter> mine = waiters.stream().filter(Waiter::claim).toList();
        if (mine.isEmpty()) {
            return;
        }
        count.addAndGet(-mine.size());
        Optional<Job> job;
        try {
            // in a transaction: this thread is the container's, and must not leave an entity manager behind
            job = transactions.run(tx -> store.find(id));
        } catch (SQLException | RuntimeException e) {
            LOG.log(Level.WARNING, "waiters of job " + id + " answered with an error", e);
            mine.forEach(waiter -> deliver(waiter, () -> waiter.response().resume(e)));
            return;
        }
        for (Waiter waiter : mine) {
            deliver(waiter, () -> waiter.response().resume(job.map(how.apply(waiter)).orElseGet(() ->
                    Problems.of(404, "id", "job " + id + " not found: it was deleted while waited for"))));
        }
    }

    /** One answer; a client that has gone away must not cost the others theirs. */
    private static void deliver(Waiter waiter, Runnable answer) {
        try {
            answer.run();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "waiter of job " + waiter.id() + " not answered", e);
        }
    }
}
