package io.queueserver.core;

/** One delivery attempt of a job's callback ended; {@code delivered} when the receiver answered 2xx. */
public record CallbackDelivered(long jobId, String kind, boolean delivered) {
}
