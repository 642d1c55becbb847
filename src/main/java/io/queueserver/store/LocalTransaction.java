package io.queueserver.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One database transaction on one pooled connection, without the EJB container: the hot paths (submit, claim,
 * complete, lease) would otherwise pay a container invocation and a JTA transaction per call. Callers must not run
 * inside a JTA transaction.
 */
public final class LocalTransaction {
    /** The work of the transaction; it may run several statements on the connection it is given. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private LocalTransaction() {
    }

    /** Runs the work and commits; rolls back and rethrows on any failure. */
    public static <T> T run(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            } finally {
                restoreAutoCommit(c);
            }
        }
    }

    /** The connection goes back to the pool as it came; a broken one is found by the pool's validation. */
    private static void restoreAutoCommit(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is broken; the statement that failed has already reported it
        }
    }
}
