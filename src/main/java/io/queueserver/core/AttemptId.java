package io.queueserver.core;

/** One attempt of one job: what a lease, a running task and a cancel signal refer to. */
public record AttemptId(long job, int attempt) {
}
