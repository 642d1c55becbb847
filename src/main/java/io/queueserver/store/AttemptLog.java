package io.queueserver.store;

import io.queueserver.core.Claim;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Writes one row of a job's attempt history, in the transaction that ends the attempt. */
final class AttemptLog {
    private AttemptLog() {
    }

    /** An attempt of this node that ends now; a batch of them is sent as one multi-row INSERT. */
    static final String FINISHED = "INSERT INTO queue_attempt (job_id, attempt, owner, started_at, finished_at,"
            + " outcome, return_code, error) VALUES (?, ?, ?, ?, LOCALTIMESTAMP(6), ?, ?, ?)";

    static void bindFinished(PreparedStatement insert, Claim claim, String owner, String outcome, Integer returnCode,
                             String error) throws SQLException {
        insert.setLong(1, claim.id());
        insert.setInt(2, claim.attempt());
        insert.setString(3, owner);
        insert.setString(4, claim.startedAt());
        bindResult(insert, 5, outcome, returnCode, error);
    }

    /** Copies the attempt's start and owner from the job row, which must still hold that attempt. */
    static void record(Connection c, long jobId, String outcome, Integer returnCode, String error) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_attempt (job_id, attempt, owner,"
                + " started_at, finished_at, outcome, return_code, error) SELECT id, attempt, owner, time_started,"
                + " LOCALTIMESTAMP(6), ?, ?, ? FROM queue_job WHERE id = ?")) {
            bindResult(insert, 1, outcome, returnCode, error);
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
        insert.setString(first + 2, error == null || error.length() <= 2000 ? error : error.substring(0, 2000));
    }
}
