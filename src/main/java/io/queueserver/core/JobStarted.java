package io.queueserver.core;

/** CDI event fired after a node has claimed a job and committed the claim, just before the attempt runs. */
public record JobStarted(long id, int attempt, String context, String owner) {
}
