package io.queueserver.store;

import io.queueserver.core.Uniqueness;

/**
 * What a submit of one job did: stored it ({@code duplicateOf} null), or found its unique key bound and returned,
 * replaced or debounced the key's job ({@code id}), which has now absorbed {@code absorbed} submits.
 */
public record Stored(long id, Uniqueness.OnConflict duplicateOf, int absorbed) {
    static Stored created(long id) {
        return new Stored(id, null, 0);
    }

    public boolean deduplicated() {
        return duplicateOf != null;
    }

    /** What the submit did to the existing job: returned, replaced or debounced. */
    public String outcome() {
        return switch (duplicateOf) {
            case REPLACE -> "replaced";
            case DEBOUNCE -> "debounced";
            default -> "returned";
        };
    }
}
