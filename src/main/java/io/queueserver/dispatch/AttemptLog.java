package io.queueserver.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/** Writes one row of a job's attempt history, in the transaction that ends the attempt. */
final class AttemptLog {
    private AttemptLog() {
    }

    /** Copies the attempt's start and owner from the job row, which must still hold that attempt. */
    static void record(Connection c, long jobId, String outcome, Integer returnCode, String error) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_attempt (job_id, attempt, owner,"
                + " started_at, finished_at, outcome, return_code, error) SELECT id, attempt, owner, time_started,"
                + " LOCALTIMESTAMP(6), ?, ?, ? FROM queue_job WHERE id = ?")) {
            insert.setString(1, outcome);
            if (returnCode == null) {
                insert.setNull(2, Types.INTEGER);
            } else {
                insert.setInt(2, returnCode);
            }
            insert.setString(3, error == null || error.length() <= 2000 ? error : error.substring(0, 2000));
            insert.setLong(4, jobId);
            insert.executeUpdate();
        }
    }
}
