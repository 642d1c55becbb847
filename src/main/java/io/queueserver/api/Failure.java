package io.queueserver.api;

import io.queueserver.store.CommitFailed;

import io.queueserver.core.InvalidField;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What an error means to the client: a refusal naming its field, the database being away (503, try again), or an
 * internal error (500, logged once, no internals in the answer). Shared by the JAX-RS resources and the servlets.
 */
public record Failure(int status, InvalidField invalid, String detail, boolean retryLater, boolean outcomeUnknown) {
    private static final Logger LOG = Logger.getLogger(Failure.class.getName());

    public static Failure of(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidField invalid) {
                return new Failure(invalid.status(), invalid, invalid.getMessage(), false, false);
            }
            if (cause instanceof CommitFailed commit && commit.outcomeUnknown()) {
                LOG.warning(() -> "commit outcome unknown: " + commit.getMessage());
                return new Failure(500, null, "the connection to the database broke while the change was committed:"
                        + " it may or may not have been stored. Send the same request again with the same"
                        + " Idempotency-Key header to find out safely", false, true);
            }
            if (databaseUnavailable(cause)) {
                String reason = cause.toString();
                LOG.warning(() -> "database unavailable: " + reason);
                return new Failure(503, null, "the database is unavailable; nothing was stored; try again shortly",
                        true, false);
            }
        }
        LOG.log(Level.SEVERE, "unexpected error", e);
        return new Failure(500, null, "internal error; see the server log", false, false);
    }

    private static boolean databaseUnavailable(Throwable t) {
        if (t instanceof SQLTransientException) {
            return true;
        }
        if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
            return true;
        }
        String name = t.getClass().getName();
        return name.endsWith("PoolingException") || name.endsWith("ResourceAllocationException")
                || name.contains("CommunicationsException");
    }
}
