package io.queueserver.store;

import jakarta.transaction.RollbackException;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;

/**
 * A commit that did not report success. When the database refused it (a rollback), nothing was stored; when the
 * connection broke during the commit, nobody here can know whether it was stored: {@link #outcomeUnknown()}.
 */
public class CommitFailed extends SQLException {
    private final boolean outcomeUnknown;

    CommitFailed(String message, String sqlState, Throwable cause, boolean outcomeUnknown) {
        super(message, sqlState, cause);
        this.outcomeUnknown = outcomeUnknown;
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }

    static SQLException of(Exception e) {
        SQLException sql = cause(e, SQLException.class);
        boolean rolledBack = e instanceof RollbackException;
        boolean broken = sql instanceof SQLRecoverableException
                || sql != null && sql.getSQLState() != null && sql.getSQLState().startsWith("08");
        String state = sql != null && sql.getSQLState() != null ? sql.getSQLState() : rolledBack ? "40000" : "08000";
        return new CommitFailed("commit failed: " + e, state, e, broken || !rolledBack && sql == null);
    }

    static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
