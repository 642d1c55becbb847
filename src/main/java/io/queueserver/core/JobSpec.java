package io.queueserver.core;

import jakarta.json.JsonObject;

import java.time.LocalDateTime;

/**
 * A validated submission. {@code payload} is the job exactly as submitted (unknown fields kept);
 * {@code runAt} (UTC) or {@code delaySeconds} postpone it.
 */
public record JobSpec(int priority, String context, String type, JsonObject payload, LocalDateTime runAt,
                      long delaySeconds, int maxAttempts, String uniqueKey) {

    public boolean scheduled() {
        return delaySeconds > 0 || runAt != null && runAt.isAfter(LocalDateTime.now(java.time.ZoneOffset.UTC));
    }

    public JobSpec withUniqueKey(String key) {
        return new JobSpec(priority, context, type, payload, runAt, delaySeconds, maxAttempts, key);
    }
}
