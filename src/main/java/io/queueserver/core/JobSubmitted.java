package io.queueserver.core;

/** CDI event fired after a job's insert has committed. */
public record JobSubmitted(long id, String context, String type) {
}
