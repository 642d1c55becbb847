package io.queueserver.store;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.UserTransaction;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;

/**
 * The store's one transaction style: a JTA transaction around the container's {@link EntityManager}. Entities are
 * persisted through it; native SQL that JPA has no words for ({@code SKIP LOCKED} claims, fenced bulk updates) runs
 * on the connection the same transaction holds. A call inside a running transaction joins it.
 */
@ApplicationScoped
public class Transactions {
    @PersistenceContext(unitName = "queue")
    EntityManager em;

    @Resource
    UserTransaction transaction;

    /** The work of one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Tx tx) throws SQLException;
    }

    /**
     * What the work may use: the entity manager and the JDBC connection of the same transaction, and the job counts
     * per state, which the work must tell of every job it adds, moves to another state or removes.
     */
    public record Tx(EntityManager em, Connection connection, StateCounts counts) {
    }

    /** The counts of the transaction this thread runs, written just before it commits. */
    private final ThreadLocal<StateCounts> counts = new ThreadLocal<>();

    /** How often a transaction of its own that the database chose as a deadlock's victim is run again. */
    static final int DEADLOCK_TRIES = 3;

    /**
     * Runs the work in a transaction of its own, or joins the running one. A transaction of its own that the
     * database rolled back to break a deadlock (two claims, or a claim and the promotion of scheduled jobs, locking
     * a row's index entries in opposite order) is run again, up to {@value #DEADLOCK_TRIES} times in all: it changed
     * nothing, so running it again is safe.
     */
    public <T> T run(Work<T> work) throws SQLException {
        for (int tries = 1; ; tries++) {
            try {
                return runOnce(work);
            } catch (SQLException e) {
                if (tries >= DEADLOCK_TRIES || !deadlockVictim(e) || !noTransaction()) {
                    throw e;
                }
            }
        }
    }

    private static boolean deadlockVictim(SQLException e) {
        return !(e instanceof CommitFailed) && ("40001".equals(e.getSQLState()) || e.getErrorCode() == 1213);
    }

    private boolean noTransaction() {
        try {
            return transaction.getStatus() == Status.STATUS_NO_TRANSACTION;
        } catch (SystemException e) {
            return false;
        }
    }

    private <T> T runOnce(Work<T> work) throws SQLException {
        boolean own;
        try {
            own = transaction.getStatus() == Status.STATUS_NO_TRANSACTION;
            if (own) {
                transaction.begin();
            }
        } catch (Exception e) {
            throw new SQLRecoverableException("no transaction could be started: " + e, "08000", e);
        }
        boolean counting = own || counts.get() == null;
        if (counting) {
            counts.set(new StateCounts());
        }
        T result;
        try {
            Connection connection = em.unwrap(Connection.class);
            result = work.apply(new Tx(em, connection, counts.get()));
            if (counting) {
                counts.get().write(connection);
            }
        } catch (SQLException | RuntimeException e) {
            if (own) {
                rollback(e);
            }
            Exception cause = sqlCause(e);
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            throw (RuntimeException) cause;
        } catch (Error e) {
            if (own) {
                rollback(e);
            }
            throw e;
        } finally {
            if (counting) {
                counts.remove();
            }
        }
        if (own) {
            commit();
        }
        return result;
    }

    /**
     * JPA reports a refused statement as a runtime exception around the driver's: callers decide on SQLSTATE
     * (a duplicate key, a refused value, a lost connection), so the driver's exception is what they get.
     */
    private static Exception sqlCause(Exception e) {
        if (e instanceof PersistenceException) {
            SQLException sql = CommitFailed.cause(e, SQLException.class);
            if (sql != null) {
                return sql;
            }
        }
        return e;
    }

    private void commit() throws SQLException {
        try {
            transaction.commit();
        } catch (Exception e) {
            throw CommitFailed.of(e);
        }
    }

    private void rollback(Throwable cause) {
        try {
            if (transaction.getStatus() != Status.STATUS_NO_TRANSACTION) {
                transaction.rollback();
            }
        } catch (SystemException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }
}
