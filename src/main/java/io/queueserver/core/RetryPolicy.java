package io.queueserver.core;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How a job's failed attempts are retried: the job's {@code backoff} ({@code {"min": 0.5, "max": 3600,
 * "multiplier": 2, "max_doublings": 10, "jitter": 0.2}}, seconds, fractions allowed) and {@code max_retry_duration}
 * (seconds from the submit after which no retry is made), over the server's defaults. Attempt n waits
 * {@code min(max, min * multiplier^min(n-1, max_doublings))}, less up to {@code jitter} of it at random.
 */
public record RetryPolicy(double minSeconds, double maxSeconds, double multiplier, int maxDoublings, double jitter,
                          Long maxRetryDurationSeconds) {
    static final double MAX_SECONDS = 30 * 86_400;

    /** The server's default: QUEUE_BACKOFF_BASE_MS doubling up to QUEUE_BACKOFF_MAX_MS, up to half of it jitter. */
    public static RetryPolicy defaults(long baseMillis, long maxMillis) {
        return new RetryPolicy(baseMillis / 1000.0, maxMillis / 1000.0, 2, 30, 0.5, null);
    }

    /** The policy of a stored job (validated at submit) over {@code defaults}. */
    public static RetryPolicy of(JsonObject job, RetryPolicy defaults) {
        JsonObject b = job.get("backoff") instanceof JsonObject o ? o : null;
        Long duration = job.get("max_retry_duration") instanceof JsonNumber n ? n.longValue() : null;
        if (b == null && duration == null) {
            return defaults;
        }
        return new RetryPolicy(number(b, "min", defaults.minSeconds), number(b, "max", defaults.maxSeconds),
                number(b, "multiplier", defaults.multiplier), (int) number(b, "max_doublings", defaults.maxDoublings),
                number(b, "jitter", defaults.jitter), duration);
    }

    private static double number(JsonObject o, String name, double fallback) {
        return o != null && o.get(name) instanceof JsonNumber n ? n.doubleValue() : fallback;
    }

    /**
     * {@code max_attempts} of a job or a key's retry policy: 1 to 100, or -1 (retry until {@code max_retry_duration},
     * which the same object must then give).
     */
    public static int maxAttempts(JsonFields f, int fallback) {
        int maxAttempts = (int) f.number("max_attempts", fallback, -1, 100);
        if (maxAttempts == 0) {
            throw new InvalidField(f.field("max_attempts"), "must be between 1 and 100, or -1 (retry until"
                    + " max_retry_duration)");
        }
        if (maxAttempts < 0 && !f.has("max_retry_duration")) {
            throw new InvalidField(f.field("max_attempts"), "-1 retries until max_retry_duration, which is missing");
        }
        return maxAttempts;
    }

    /** Checks a job's {@code backoff} and {@code max_retry_duration}, naming the field of any bad value. */
    public static void validate(JsonFields f) {
        JsonFields b = f.nested("backoff");
        if (b != null) {
            for (String name : b.object().keySet()) {
                if (!java.util.List.of("min", "max", "multiplier", "max_doublings", "jitter").contains(name)) {
                    throw new InvalidField(b.field(name), "is not a field of backoff (min, max, multiplier,"
                            + " max_doublings, jitter)");
                }
            }
            double min = decimal(b, "min", 0, MAX_SECONDS);
            double max = decimal(b, "max", 0, MAX_SECONDS);
            if (b.has("min") && b.has("max") && max < min) {
                throw new InvalidField(b.field("max"), "must not be less than min");
            }
            decimal(b, "multiplier", 1, 10);
            b.number("max_doublings", 0, 0, 60);
            decimal(b, "jitter", 0, 1);
        }
        f.number("max_retry_duration", 0, 1, (long) MAX_SECONDS);
    }

    private static double decimal(JsonFields f, String name, double min, double max) {
        if (!f.has(name)) {
            return min;
        }
        if (!(f.object().get(name) instanceof JsonNumber n) || n.doubleValue() < min || n.doubleValue() > max
                || Double.isNaN(n.doubleValue())) {
            throw new InvalidField(f.field(name), "must be a number between " + min + " and " + max);
        }
        return n.doubleValue();
    }

    /** The wait before retry {@code n} (1 = the first retry), in ms. */
    public long delayMillis(int n) {
        double full = Math.min(maxSeconds, minSeconds * Math.pow(multiplier, Math.min(Math.max(n - 1, 0), maxDoublings)));
        double jittered = full * (1 - jitter * ThreadLocalRandom.current().nextDouble());
        return Math.round(jittered * 1000);
    }
}
