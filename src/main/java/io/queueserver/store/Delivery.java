package io.queueserver.store;

/** One claimed callback delivery; {@code webhookId} stays the same across retries. */
public record Delivery(long id, long jobId, String kind, String webhookId, String command, String body, int attempt) {
}
