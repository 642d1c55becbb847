package io.queueserver.store;

import io.queueserver.core.JobSpec;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Combines jobs submitted concurrently (one job or a batch per request) into one multi-row INSERT and one commit: a
 * commit costs a durable log write whatever its size, so under load many submits share it. Each caller is answered
 * only after the transaction holding its jobs has committed, and within a bounded time. Two writers keep a commit in
 * flight while the next group gathers; a group whose data the database refuses is retried request by request, so
 * one bad job fails only its own request. The writer itself then tells the dispatcher which keys have due jobs, so
 * that the claim does not wait for a request thread to be scheduled first.
 */
@ApplicationScoped
public class GroupCommit {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());
    static final int WRITERS = 2;
    static final int MAX_BATCH = 1000;
    static final int ANSWER_WITHIN_SECONDS = 9;

    @Resource
    ManagedThreadFactory threads;

    @Inject
    JobStore store;

    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Consumer<List<String>> committed = keys -> { };

    /** One request's jobs (one, or a batch) and the answer its caller waits for. */
    private record Pending(List<JobSpec> specs, CompletableFuture<List<Stored>> ids) {
    }

    @PostConstruct
    void start() {
        for (int i = 0; i < WRITERS; i++) {
            Thread writer = threads.newThread(this::write);
            writer.setName("queue-group-commit-" + i);
            writer.start();
            writers.add(writer);
        }
    }

    /** Told, on the writer's thread after each commit, the concurrency keys of the due jobs it stored. */
    public void whenCommitted(Consumer<List<String>> listener) {
        committed = listener;
    }

    /**
     * Stores one request's jobs and says what became of each once committed (for a bound unique key, what the
     * duplicate did to the key's job). Answers within {@value #ANSWER_WITHIN_SECONDS} s: jobs whose group has not started by then are
     * withdrawn (nothing stored); those whose commit is still under way have an unknown outcome.
     */
    public List<Stored> insert(List<JobSpec> specs) throws SQLException {
        if (stopping) {
            throw new SQLTransientConnectionException("the server is stopping", "08000");
        }
        Pending pending = new Pending(specs, new CompletableFuture<>());
        queue.add(pending);
        try {
            return pending.ids().get(ANSWER_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            if (queue.remove(pending)) {
                throw new SQLTransientConnectionException("the database did not take the job within "
                        + ANSWER_WITHIN_SECONDS + " s; nothing was stored", "08001");
            }
            throw new CommitFailed("no answer from the database within " + ANSWER_WITHIN_SECONDS
                    + " s while the job was being committed", "08007", e, true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the job was stored", "08000", e);
        }
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        while (!stopping || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                // a group ends at about MAX_BATCH jobs: the request that crosses it is the group's last
                for (int jobs = first.specs().size(); jobs < MAX_BATCH; ) {
                    Pending next = queue.poll();
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    jobs += next.specs().size();
                }
                commit(batch);
            } catch (InterruptedException e) {
                if (!stopping) {
                    LOG.warning("group commit writer interrupted; submits continue on the other writers");
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<Stored> ids;
        try {
            ids = store.insert(batch.stream().flatMap(p -> p.specs().stream()).toList());
        } catch (SQLException | RuntimeException e) {
            if (batch.size() > 1 && rejectedData(e)) {
                // one request's job was refused (or raced another for a unique key): the others are tried alone
                batch.forEach(pending -> commit(List.of(pending)));
            } else {
                batch.forEach(pending -> pending.ids().completeExceptionally(e));
            }
            return;
        }
        int next = 0;
        for (Pending pending : batch) {
            pending.ids().complete(List.copyOf(ids.subList(next, next + pending.specs().size())));
            next += pending.specs().size();
        }
        List<String> due = JobSpec.dueKeys(batch.stream().flatMap(p -> p.specs().stream()).toList());
        if (!due.isEmpty()) {
            try {
                committed.accept(due);
            } catch (RuntimeException e) { // the jobs are stored: the dispatcher's tick claims them
                LOG.warning("the dispatcher was not woken for jobs just stored: " + e);
            }
        }
    }

    /** A value the database refused (SQLSTATE 22, 23): the other jobs of the batch may well be fine. */
    private static boolean rejectedData(Exception e) {
        return e instanceof SQLException s && s.getSQLState() != null
                && (s.getSQLState().startsWith("22") || s.getSQLState().startsWith("23"));
    }

    @PreDestroy
    void stop() {
        stopping = true;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
