package io.queueserver.core;

import jakarta.json.JsonObject;

/**
 * A job this node has claimed: its row is {@code working} with {@code owner} = this node and this attempt, started
 * at {@code startedAt} (the database clock's text, kept for the attempt's history row). {@code job} is the
 * payload, parsed once when claimed: the worker's command and the callbacks come from it. {@code snoozes} is how often
 * the target snoozed the job so far, {@code ageMillis} how long ago it was submitted, when claimed. {@code batchId}
 * (0: none) and {@code dependents} (jobs that depend on it) say whether its end has more to do.
 */
public record Claim(long id, int attempt, int maxAttempts, int retryBase, String context, JsonObject job,
                    String startedAt, int snoozes, long ageMillis, long batchId, int dependents) {

    /** A claim of a job that was never snoozed, submitted just now, alone. */
    public Claim(long id, int attempt, int maxAttempts, int retryBase, String context, JsonObject job, String startedAt) {
        this(id, attempt, maxAttempts, retryBase, context, job, startedAt, 0, 0, 0, 0);
    }

    public AttemptId attemptId() {
        return new AttemptId(id, attempt);
    }

    /** The job's concurrency key: its own, else its context (as the submit stored it). */
    public String concurrencyKey() {
        return job.get("concurrency_key") instanceof jakarta.json.JsonString key ? key.getString() : context;
    }

    /** The host an http job calls (what {@code host:} rate limits count), or null. */
    public String targetHost() {
        return targetHost(job);
    }

    public static String targetHost(JsonObject job) {
        JsonObject command = job.get("command") instanceof JsonObject c ? c : null;
        if (command == null || !(command.get("url") instanceof jakarta.json.JsonString url)) {
            return null;
        }
        try {
            String host = java.net.URI.create(url.getString()).getHost();
            return host == null ? null : host.toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether a failure of this attempt leaves attempts for a retry ({@code max_attempts} -1: always). */
    public boolean canRetry() {
        return maxAttempts < 0 || attempt - retryBase < maxAttempts;
    }
}
