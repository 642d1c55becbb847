package io.queueserver.core;

/** CDI event fired after a running job's progress report has committed. */
public record JobProgressed(long id, int percent, String message) {
}
