package io.queueserver.dispatch;

/** A job this node has claimed: its row is {@code working} with {@code owner} = this node and this attempt. */
public record Claim(long id, int attempt, int maxAttempts, String context, String payload) {
}
