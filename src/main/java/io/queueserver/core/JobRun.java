package io.queueserver.core;

import jakarta.json.JsonObject;

import java.util.function.Consumer;

/**
 * One attempt of a job (or one delivery of a callback) as a worker sees it. {@code output} receives output as it
 * is produced, for run-now streaming; workers that produce output in pieces should feed it.
 */
public record JobRun(long jobId, int attempt, String context, JsonObject command, Consumer<String> output) {

    public JobRun(long jobId, int attempt, String context, JsonObject command) {
        this(jobId, attempt, context, command, text -> { });
    }
}
