package io.queueserver.workers;

import jakarta.json.JsonObject;

/** One attempt of a job (or one delivery of a callback) as a worker sees it. */
public record JobRun(long jobId, int attempt, String context, JsonObject command) {
}
