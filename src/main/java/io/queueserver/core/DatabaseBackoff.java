package io.queueserver.core;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Background loops pause while the database is unreachable, up to 30 s between tries, and log the first failure
 * with its stack trace, later ones as one line, and the recovery.
 */
public final class DatabaseBackoff {
    private static final long MAX_PAUSE_MILLIS = 30_000;
    private final Logger log;
    private final String loop;
    private int failures;
    private long resumeAt;

    private final java.time.Clock clock;

    public DatabaseBackoff(Logger log, String loop) {
        this(log, loop, java.time.Clock.systemUTC());
    }

    public DatabaseBackoff(Logger log, String loop, java.time.Clock clock) {
        this.log = log;
        this.loop = loop;
        this.clock = clock;
    }

    public synchronized boolean waiting() {
        return failures > 0 && clock.millis() < resumeAt;
    }

    public synchronized void failed(Throwable t) {
        if (lockConflict(t)) {
            log.fine(() -> loop + " lost a lock conflict; retrying at once: " + t);
            return;
        }
        failures++;
        long pause = Math.min(MAX_PAUSE_MILLIS, 250L << Math.min(failures, 7));
        resumeAt = clock.millis() + pause;
        if (failures == 1) {
            log.log(Level.WARNING, loop + " failed; retrying with backoff", t);
        } else {
            log.warning(() -> loop + " failed again (" + failures + "), next try in " + pause + " ms: " + t);
        }
    }

    /** Deadlocks and lock wait timeouts are normal under contention: retried at once, not a database outage. */
    public static boolean lockConflict(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLTransactionRollbackException
                    || c instanceof java.sql.SQLException s && s.getSQLState() != null
                    && (s.getSQLState().equals("40001") || s.getSQLState().equals("41000"))) {
                return true;
            }
        }
        return false;
    }

    public synchronized void succeeded() {
        if (failures > 0) {
            log.info(() -> loop + " recovered after " + failures + " failures");
            failures = 0;
        }
    }
}
