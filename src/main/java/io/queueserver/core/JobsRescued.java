package io.queueserver.core;

/** A rescue round returned {@code rescued} jobs of dead nodes to the queue and failed {@code poisoned} as poison. */
public record JobsRescued(int rescued, int poisoned) {
}
