package io.queueserver.api;

import io.queueserver.core.Job;
import io.queueserver.core.JobState;
import io.queueserver.core.LimitBook;
import io.queueserver.core.Json;
import io.queueserver.store.JobStore;
import io.queueserver.store.Limits;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code GET /jobs/{id}} answers while the job changes between the reads of its row and of its history. */
class JobDetailTest {
    private static final LocalDateTime STARTED = LocalDateTime.of(2026, 12, 1, 10, 0, 0);

    private static Job row(JobState state, int attempt, String owner) {
        return Job.summary(new Object[] {7L, state.code(), 500, "c", "http", "{}", null, STARTED, STARTED,
                owner == null ? null : STARTED, null, attempt, 3, 0, owner, null, null, null, null, null, null, "c", null});
    }

    /** The job table as the API reads it; each read of the row takes the next of {@code rows}, the last one stays. */
    private static final class ChangingStore extends JobStore {
        final Deque<Job> rows;
        final JsonArray history;
        int reads;

        ChangingStore(JsonArray history, Job... rows) {
            this.rows = new ArrayDeque<>(List.of(rows));
            this.history = history;
        }

        @Override
        public Optional<Job> find(long id) {
            reads++;
            return Optional.of(rows.size() > 1 ? rows.poll() : rows.peek());
        }

        @Override
        public JsonArray attempts(Job job) {
            return history;
        }

        @Override
        public JsonArray callbacks(long id) {
            return Json.createArrayBuilder().build();
        }
    }

    private static final class NoLimits extends Limits {
        @Override
        public LimitBook cached() {
            return LimitBook.EMPTY;
        }

        @Override
        public List<String> holding(String concurrencyKey, String context, String host) {
            return List.of();
        }
    }

    private static JsonObject answer(ChangingStore store) {
        JobDetail detail = new JobDetail();
        detail.store = store;
        detail.limits = new NoLimits();
        return detail.of(store.find(7).orElseThrow());
    }

    @Test
    void aJobPausedByItsBreakerBetweenTheReadsIsShownWaitingBesideThePausedAttempt() {
        JsonArray paused = Json.createArrayBuilder().add(Json.createObjectBuilder().add("attempt", 1).add("node", "n1")
                .add("outcome", "paused_by_breaker").add("error", "host open")).build();
        // read first as working, while the breaker's pause logs its attempt and puts it back
        ChangingStore store = new ChangingStore(paused, row(JobState.WORKING, 1, "n1"), row(JobState.WAITING, 0, null));
        JsonObject job = answer(store);
        assertEquals("waiting", job.getString("state"), job.toString());
        assertEquals("paused_by_breaker", job.getJsonArray("attempts").getJsonObject(0).getString("outcome"));
    }

    @Test
    void anUnchangedJobIsReadOnceMoreOnly() {
        ChangingStore store = new ChangingStore(Json.createArrayBuilder().build(), row(JobState.WAITING, 0, null));
        assertEquals("waiting", answer(store).getString("state"));
        assertEquals(2, store.reads, "the first read and the one after its history");
    }

    @Test
    void aJobThatChangesAtEveryReadIsAnsweredAfterFiveReads() {
        Job[] rows = new Job[8];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = row(JobState.WORKING, i + 1, "n1");
        }
        ChangingStore store = new ChangingStore(Json.createArrayBuilder().build(), rows);
        JsonObject job = answer(store);
        assertEquals(6, store.reads, "the first read, then five more with its history");
        assertEquals(5, job.getInt("attempt"), "as last read before the last check");
    }
}
