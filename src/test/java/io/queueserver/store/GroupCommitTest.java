package io.queueserver.store;

import io.queueserver.core.JobSpec;
import io.queueserver.core.Json;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GroupCommitTest {
    /** Stores nothing: gives each job the next id. */
    private static final class Store extends JobStore {
        private final AtomicLong next = new AtomicLong(1);

        @Override
        public List<Stored> insert(List<JobSpec> specs) {
            return specs.stream().map(s -> new Stored(next.getAndIncrement(), null, 0)).toList();
        }
    }

    private final GroupCommit groupCommit = new GroupCommit();

    GroupCommitTest() {
        groupCommit.store = new Store();
        groupCommit.threads = new ManagedThreadFactory() {
            @Override
            public Thread newThread(Runnable r) {
                return new Thread(r);
            }

            @Override
            public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
                throw new UnsupportedOperationException();
            }
        };
        groupCommit.start();
    }

    @AfterEach
    void stop() {
        groupCommit.stop();
    }

    private static JobSpec job(String key, long delaySeconds) {
        return new JobSpec(500, "ctx", "http", Json.parse("{}"), null, delaySeconds, 1, null, key, null, 0);
    }

    @Test
    void theWriterNamesTheKeysOfTheDueJobsItCommitted() throws Exception {
        CompletableFuture<List<String>> told = new CompletableFuture<>();
        groupCommit.whenCommitted(told::complete);
        List<Stored> stored = groupCommit.insert(List.of(job("mail", 0), job("thumbs", 60), job("mail", 0)));
        assertEquals(3, stored.size());
        assertEquals(List.of("mail"), told.get(5, TimeUnit.SECONDS), "scheduled jobs wake no one, each key once");
    }
}
