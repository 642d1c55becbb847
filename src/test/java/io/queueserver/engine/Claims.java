package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.Json;

/** Claims as the store would return them. */
final class Claims {
    private Claims() {
    }

    static Claim of(long id, int attempt) {
        return new Claim(id, attempt, 3, 0, "ctx", Json.parse("{\"command\":{\"type\":\"test\"}}"),
                "2026-12-01 00:00:00.000000");
    }
}
