package io.queueserver.api;

import io.queueserver.core.CallbacksDue;
import io.queueserver.core.InvalidField;
import io.queueserver.security.RequestGrant;
import io.queueserver.core.LimitBook;
import io.queueserver.core.LimitRule;
import io.queueserver.store.Limits;
import java.util.HashMap;
import java.util.Map;

import io.queueserver.core.JobEvents;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobSubmitted;
import io.queueserver.core.Json;
import io.queueserver.store.BatchStore;
import io.queueserver.store.GroupCommit;
import io.queueserver.store.Stored;
import io.queueserver.store.UniqueConflict;

import io.queueserver.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.List;

/**
 * Stores submitted jobs and announces them. The answer to the client is sent only after the insert has
 * committed; a job that is due at once then wakes the dispatcher so a free slot starts it without waiting for a tick.
 */
@ApplicationScoped
public class Submissions {
    @Inject
    GroupCommit groupCommit;

    @Inject
    JobEvents events;

    @Inject
    Engine engine;

    @Inject
    Limits limits;

    @Inject
    BatchStore batches;

    @Inject
    RequestGrant grant;

    /**
     * Stores the jobs (all or nothing) and says what became of each; a duplicate whose unique key refuses it
     * ({@code on_conflict: reject}) refuses the whole request with 409 and the job holding the key.
     */
    public List<Stored> submit(List<JobSpec> specs) {
        refuseOverBacklog(specs);
        List<Stored> stored = insert(specs); // its commit woke the dispatcher
        announce(specs, stored.stream().map(s -> s.deduplicated() ? null : s.id()).toList());
        return stored;
    }

    /**
     * Stores a batch or workflow ({@code kind}; null: one job with dependencies) and its jobs, all or nothing, under
     * the same backlog caps as other submits.
     */
    public BatchStore.Created submitGroup(String kind, GroupBody group) {
        if (!grant.maySubmitTo(group.context())) {
            throw new InvalidField(403, "context", "this API token may not submit jobs of context '"
                    + group.context() + "'");
        }
        refuseOverBacklog(group.specs());
        try {
            BatchStore.Created created = batches.create(kind, group.context(), group.open(), group.callbacks(),
                    group.specs(), group.dependencies());
            wake(group.specs());
            announce(group.specs(), created.ids());
            events.fire(new CallbacksDue()); // an empty batch completes at once
            return created;
        } catch (SQLException e) {
            throw new IllegalStateException("jobs not stored: " + e.getMessage(), e);
        }
    }

    /** Jobs added to an open batch. */
    public List<Long> addToBatch(long batchId, List<JobSpec> specs) {
        refuseOverBacklog(specs);
        try {
            List<Long> ids = batches.add(batchId, specs);
            wake(specs);
            announce(specs, ids);
            return ids;
        } catch (SQLException e) {
            throw new IllegalStateException("jobs not stored: " + e.getMessage(), e);
        }
    }

    /** Wakes the dispatcher for jobs due now. */
    private void wake(List<JobSpec> specs) {
        List<String> dueKeys = JobSpec.dueKeys(specs);
        if (!dueKeys.isEmpty()) {
            engine.submitted(dueKeys);
        }
    }

    /** Tells the observers of each stored job (id null: not stored). */
    private void announce(List<JobSpec> specs, List<Long> ids) {
        for (int i = 0; i < ids.size(); i++) {
            if (ids.get(i) != null) {
                events.fire(new JobSubmitted(ids.get(i), specs.get(i).context(), specs.get(i).type()));
            }
        }
    }

    /** A concurrent submit that bound the same new unique key first fails this one's insert: then it is bound. */
    private List<Stored> insert(List<JobSpec> specs) {
        for (int tries = 1; ; tries++) {
            try {
                return groupCommit.insert(specs);
            } catch (UniqueConflict conflict) {
                throw new InvalidField(409, "unique.key", "a job with unique key '" + conflict.key()
                        + "' exists (job " + conflict.existingId() + "); nothing was stored",
                        Json.createObjectBuilder().add("existing_job_id", conflict.existingId()).build());
            } catch (SQLException e) {
                if (!duplicateKey(e) || tries == 3) {
                    throw new IllegalStateException("jobs not stored: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * A key whose rule caps its backlog ({@code max_backlog}) takes no more jobs once that many wait: 429 with
     * Retry-After, nothing stored (a batch is refused whole). Checked before the insert, so concurrent submits of
     * several nodes may pass a cap by what they send at the same moment.
     */
    private void refuseOverBacklog(List<JobSpec> specs) {
        try {
            LimitBook book = limits.cached();
            Map<String, Long> adding = new HashMap<>();
            specs.forEach(spec -> adding.merge(spec.concurrencyKey(), 1L, Long::sum));
            for (var e : adding.entrySet()) {
                for (LimitRule rule : book.forKey(e.getKey())) {
                    if (rule.maxBacklog() != null
                            && limits.backlog(e.getKey(), rule.maxBacklog()) + e.getValue() > rule.maxBacklog()) {
                        throw new InvalidField(429, "concurrency_key", "key '" + e.getKey() + "' has "
                                + rule.maxBacklog() + " jobs waiting or more, its max_backlog (rule '" + rule.key()
                                + "'); try again later");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the backlog could not be counted: " + e.getMessage(), e);
        }
    }

    private static boolean duplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLIntegrityConstraintViolationException
                    || t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
