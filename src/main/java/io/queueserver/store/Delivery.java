package io.queueserver.store;

import jakarta.json.JsonObject;

/**
 * One claimed callback delivery, its command and the job's result parsed once when claimed; {@code webhookId}
 * stays the same across retries, {@code attempt} fences the recording of its result.
 */
public record Delivery(long id, long jobId, String kind, String webhookId, JsonObject command, String body,
                       JsonObject result, int attempt) {
}
