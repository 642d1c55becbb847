package io.queueserver.api;

import io.queueserver.core.Claim;
import io.queueserver.core.Job;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.store.JobStore;
import io.queueserver.store.Limits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.sql.SQLException;
import java.util.List;

/** One job as {@code GET /jobs/{id}} shows it: with its attempts, callbacks, what holds it back, its unique key. */
@ApplicationScoped
public class JobDetail {
    @Inject
    JobStore store;

    @Inject
    Limits limits;

    public JsonObject of(Job job) {
        return withKeyRetry(job, withUnique(job, withHolding(job, JobJson.rest(job, store.attempts(job),
                store.callbacks(job.id())))));
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
