package io.queueserver.jobs;

import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.List;

/**
 * Stores submitted jobs and announces them. The answer to the client is sent only after the insert has
 * committed; {@link JobSubmitted} then wakes the dispatcher so a free slot starts the job at once.
 */
@ApplicationScoped
public class Submissions {
    @EJB
    JobStore store;

    @Inject
    JobEvents events;

    public List<Long> submit(List<JobSpec> specs) {
        List<Long> ids;
        try {
            ids = store.insert(specs);
        } catch (EJBException | SQLException e) {
            if (!duplicateKey(e)) {
                throw e instanceof RuntimeException r ? r : new EJBException((Exception) e);
            }
            // a concurrent submit took the same unique key first: this time the lookup finds its job
            ids = insertAgain(specs);
        }
        for (int i = 0; i < ids.size(); i++) {
            JobSpec spec = specs.get(i);
            events.fire(new JobSubmitted(ids.get(i), spec.context(), spec.type()));
        }
        return ids;
    }

    private List<Long> insertAgain(List<JobSpec> specs) {
        try {
            return store.insert(specs);
        } catch (SQLException e) {
            throw new EJBException(e);
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
