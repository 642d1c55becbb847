package io.queueserver.core;

/** A committed transaction wrote callback deliveries: the deliverer should look for work now, not at its tick. */
public record CallbacksDue() {
}
