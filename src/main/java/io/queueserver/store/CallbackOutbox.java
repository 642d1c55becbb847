package io.queueserver.store;

import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Writes a finished job's callbacks in the transaction that makes its state final, so they are delivered even if
 * the node dies right after the commit. {@code callback_done} fires on every outcome (as in the PHP original),
 * {@code callback_failed} only on failure.
 */
@ApplicationScoped
public class CallbackOutbox {
    static final int OUTPUT_EXCERPT = 4096;

    /** Returns whether the job has any callback for this outcome (then it was written). */
    public boolean record(Connection c, long jobId, String context, JsonObject job, JobState state, Outcome outcome)
            throws SQLException {
        if (!job.containsKey("callback_done") && !job.containsKey("callback_failed")) {
            return false;
        }
        JsonObject result = null;
        for (String kind : state == JobState.DONE ? new String[] {"callback_done"}
                : new String[] {"callback_done", "callback_failed"}) {
            JsonValue command = job.get(kind);
            if (!(command instanceof JsonObject)) {
                continue;
            }
            if (result == null) {
                result = result(jobId, context, state, outcome);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_callback (job_id, kind, state,"
                    + " webhook_id, command, body, next_at, time_added)"
                    + " VALUES (?, ?, 0, ?, ?, ?, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
                insert.setLong(1, jobId);
                insert.setString(2, kind);
                insert.setString(3, "msg_" + UUID.randomUUID().toString().replace("-", ""));
                insert.setString(4, command.toString());
                insert.setString(5, result.toString());
                insert.executeUpdate();
            }
        }
        return result != null;
    }

    /** What an http callback receives as its JSON body. */
    static JsonObject result(long jobId, String context, JobState state, Outcome outcome) {
        String output = outcome.output();
        if (output != null && output.length() > OUTPUT_EXCERPT) {
            output = output.substring(0, OUTPUT_EXCERPT);
        }
        var b = Json.createObjectBuilder()
                .add("id", jobId)
                .add("state", state.label())
                .add("worker_status", state.workerStatus())
                .add("context", context);
        b.add("return_code", outcome.returnCode() == null ? JsonValue.NULL : Json.createValue(outcome.returnCode()));
        b.add("output", output == null ? JsonValue.NULL : Json.createValue(output));
        b.add("error", outcome.error() == null ? JsonValue.NULL : Json.createValue(outcome.error()));
        return b.build();
    }
}
