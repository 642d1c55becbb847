package io.queueserver.core;

/** CDI event fired after a job's final state (done, failed, cancelled) has committed. */
public record JobFinished(long id, String context, JobState state, Integer returnCode, String error) {
}
