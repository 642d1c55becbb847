package io.queueserver.core;

/**
 * A job this node has claimed: its row is {@code working} with {@code owner} = this node and this attempt, started
 * at {@code startedAt} (the database clock's text, kept for the attempt's history row).
 */
public record Claim(long id, int attempt, int maxAttempts, int retryBase, String context, String payload,
                    String startedAt) {

    /** Whether a failure of this attempt leaves attempts for a retry. */
    public boolean canRetry() {
        return attempt - retryBase < maxAttempts;
    }
}
