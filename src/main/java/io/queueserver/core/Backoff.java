package io.queueserver.core;

import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: attempt n waits between half and all of min(max, base * 2^(n-1)). */
public record Backoff(long baseMillis, long maxMillis) {

    public long delayMillis(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long full = Math.min(maxMillis, baseMillis << shift);
        if (full <= 1) {
            return full;
        }
        return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
    }
}
