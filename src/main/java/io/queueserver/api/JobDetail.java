package io.queueserver.api;

import io.queueserver.core.Claim;
import io.queueserver.core.Job;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.store.JobStore;
import io.queueserver.store.Limits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** One job as {@code GET /jobs/{id}} shows it: with its attempts, callbacks, what holds it back, its unique key. */
@ApplicationScoped
public class JobDetail {
    /** A job changing faster than it can be read is shown as last read, rather than never. */
    private static final int MAX_READS = 5;

    @Inject
    JobStore store;

    @Inject
    Limits limits;

    /**
     * The job's row, its attempts and its callbacks are read by statements of their own, so the job may change
     * between them (a breaker's pause logs an attempt and puts the job back). The row is read again after the
     * others, and all of it once more while it changed: the answer never shows a state beside history that
     * contradicts it.
     */
    public JsonObject of(Job job) {
        Job seen = job;
        for (int read = 1; ; read++) {
            JsonArray attempts = store.attempts(seen);
            JsonArray callbacks = store.callbacks(seen.id());
            Optional<Job> now = store.find(seen.id());
            if (now.isEmpty() || now.get().sameRevisionAs(seen) || read == MAX_READS) {
                return withKeyRetry(seen, withUnique(seen, withHolding(seen, JobJson.rest(seen, attempts, callbacks))));
            }
            seen = now.get();
        }
    }

    /** A job its unique key is bound to says how many duplicate submits it absorbed. */
    private JsonObject withUnique(Job job, JsonObject json) {
        if (job.uniqueKey() == null) {
            return json;
        }
        int absorbed = store.absorbed(job.id()).orElse(-1);
        return Json.createObjectBuilder(json).add("unique", Json.createObjectBuilder().add("key", job.uniqueKey())
                .add("bound", absorbed >= 0).add("absorbed", Math.max(absorbed, 0))).build();
    }

    /**
     * A job whose key's rule sets a retry policy says what applies to it, its own fields winning:
     * {@code "retry_policy": {"key": "mailing", "max_attempts": 5, "backoff": {...}}}.
     */
    private JsonObject withKeyRetry(Job job, JsonObject json) {
        return limits.cached().retryRule(job.concurrencyKey()).map(rule -> Json.createObjectBuilder(json)
                .add("retry_policy", Json.createObjectBuilder().add("key", rule.key())
                        .addAll(Json.createObjectBuilder(rule.retry().effective(Json.parse(job.payload()))))).build())
                .orElse(json);
    }

    /** A waiting job says what holds it back: {@code "held_by": ["key `mailing` at its limit 2/2"]}. */
    private JsonObject withHolding(Job job, JsonObject json) {
        if (job.state() != JobState.WAITING) {
            return json;
        }
        try {
            List<String> reasons = limits.holding(job.concurrencyKey(), job.context(),
                    Claim.targetHost(Json.parse(job.payload())));
            return Json.createObjectBuilder(json).add("held_by", Json.createArrayBuilder(reasons)).build();
        } catch (SQLException e) {
            throw new IllegalStateException("the job's limits could not be read: " + e.getMessage(), e);
        }
    }
}
