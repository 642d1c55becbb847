package io.queueserver.core;

import jakarta.json.JsonObject;

import java.time.LocalDateTime;
import java.util.List;

/**
 * A validated submission. {@code payload} is the job exactly as submitted (unknown fields kept);
 * {@code runAt} (UTC) or {@code delaySeconds} postpone it; {@code concurrencyKey} (the context unless given) is what
 * flow control limits; {@code expiresAt} (UTC) or {@code expiresInSeconds} after the submit, the time by which it must
 * have started (else it ends expired); {@code unique} (or null) what its unique key means.
 */
public record JobSpec(int priority, String context, String type, JsonObject payload, LocalDateTime runAt,
                      long delaySeconds, int maxAttempts, Uniqueness unique, String concurrencyKey,
                      LocalDateTime expiresAt, long expiresInSeconds) {

    /** The concurrency keys of those of {@code specs} that are due now, each once: what wakes a dispatcher. */
    public static List<String> dueKeys(List<JobSpec> specs) {
        return specs.stream().filter(spec -> !spec.scheduled()).map(JobSpec::concurrencyKey).distinct().toList();
    }

    public boolean scheduled() {
        return delaySeconds > 0 || runAt != null && runAt.isAfter(LocalDateTime.now(java.time.ZoneOffset.UTC));
    }

    public JobSpec withUnique(Uniqueness unique) {
        return new JobSpec(priority, context, type, payload, runAt, delaySeconds, maxAttempts, unique, concurrencyKey,
                expiresAt, expiresInSeconds);
    }

    public String uniqueKey() {
        return unique == null ? null : unique.key();
    }
}
