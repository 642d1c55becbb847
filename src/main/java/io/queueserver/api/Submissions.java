package io.queueserver.api;

import io.queueserver.core.JobEvents;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobSubmitted;
import io.queueserver.store.GroupCommit;

import io.queueserver.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stores submitted jobs and announces them. The answer to the client is sent only after the insert has
 * committed; a job that is due at once then wakes the dispatcher so a free slot starts it without waiting for a tick.
 */
@ApplicationScoped
public class Submissions {
    private static final Logger LOG = Logger.getLogger(Submissions.class.getName());

    @Inject
    GroupCommit groupCommit;

    @Inject
    JobEvents events;

    @Inject
    Engine engine;

    public List<Long> submit(List<JobSpec> specs) {
        List<Long> ids;
        try {
            ids = groupCommit.insert(specs);
        } catch (SQLException e) {
            if (!duplicateKey(e)) {
                throw new IllegalStateException("jobs not stored: " + e.getMessage(), e);
            }
            // a concurrent submit took the same unique key first: this time the lookup finds its job
            ids = insertAgain(specs);
        }
        if (specs.stream().anyMatch(spec -> !spec.scheduled())) {
            engine.wake();
        }
        for (int i = 0; i < ids.size(); i++) {
            JobSpec spec = specs.get(i);
            try {
                events.fire(new JobSubmitted(ids.get(i), spec.context(), spec.type()));
            } catch (RuntimeException e) {
                // the job is committed: an observer's failure must not turn its answer into an error
                LOG.log(Level.WARNING, "an observer of JobSubmitted failed for job " + ids.get(i), e);
            }
        }
        return ids;
    }

    private List<Long> insertAgain(List<JobSpec> specs) {
        try {
            return groupCommit.insert(specs);
        } catch (SQLException e) {
            throw new IllegalStateException("jobs not stored: " + e.getMessage(), e);
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
