package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.Outcome;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/** The one writer of a job's attempt history, always in the transaction that ends the attempt. */
final class AttemptLog {
    private AttemptLog() {
    }

    /** An attempt of this node that ends now. */
    record Entry(Claim claim, String owner, String outcome, Outcome result) {
    }

    /** The entries in one multi-row INSERT. */
    static void finished(Connection c, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_attempt (job_id, attempt, owner,"
                + " started_at, finished_at, outcome, return_code, error) VALUES (?, ?, ?, ?, LOCALTIMESTAMP(6), ?, ?, ?)")) {
            for (Entry e : entries) {
                insert.setLong(1, e.claim().id());
                insert.setInt(2, e.claim().attempt());
                insert.setString(3, e.owner());
                insert.setString(4, e.claim().startedAt());
                bindResult(insert, 5, e.outcome(), e.result().returnCode(), e.result().error());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** An attempt ended by someone else than its runner (rescue, poison, cancel): start and owner from the row. */
    static void ended(Connection c, long jobId, String outcome, String error) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_attempt (job_id, attempt, owner,"
                + " started_at, finished_at, outcome, return_code, error) SELECT id, attempt, owner, time_started,"
                + " LOCALTIMESTAMP(6), ?, ?, ? FROM queue_job WHERE id = ?")) {
            bindResult(insert, 1, outcome, null, error);
            insert.setLong(4, jobId);
            insert.executeUpdate();
        }
    }

    private static void bindResult(PreparedStatement insert, int first, String outcome, Integer returnCode,
                                   String error) throws SQLException {
        insert.setString(first, outcome);
        if (returnCode == null) {
            insert.setNull(first + 1, Types.INTEGER);
        } else {
            insert.setInt(first + 1, returnCode);
        }
        insert.setString(first + 2, Texts.error(error));
    }
}
