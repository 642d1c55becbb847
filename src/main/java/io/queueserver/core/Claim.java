package io.queueserver.core;

import jakarta.json.JsonObject;

/**
 * A job this node has claimed: its row is {@code working} with {@code owner} = this node and this attempt, started
 * at {@code startedAt} (the database clock's text, kept for the attempt's history row). {@code job} is the
 * payload, parsed once when claimed: the worker's command and the callbacks come from it.
 */
public record Claim(long id, int attempt, int maxAttempts, int retryBase, String context, JsonObject job,
                    String startedAt) {

    public AttemptId attemptId() {
        return new AttemptId(id, attempt);
    }

    /** Whether a failure of this attempt leaves attempts for a retry. */
    public boolean canRetry() {
        return attempt - retryBase < maxAttempts;
    }
}
