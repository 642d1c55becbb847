package io.queueserver.core;

/** CDI event fired after a job's final state (done, failed, cancelled) has committed; {@code attempt} ended it. */
public record JobFinished(long id, int attempt, String context, JobState state, Integer returnCode, String error) {
}
