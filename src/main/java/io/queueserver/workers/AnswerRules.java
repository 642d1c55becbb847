package io.queueserver.workers;

import io.queueserver.core.JsonFields;
import io.queueserver.core.Outcome;
import io.queueserver.core.StatusLists;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * What a target's answer means for the job (README "The HTTP contract"). 2xx is done; 408, 425, 429, 500, 502, 503
 * and 504 are retried, as are connect and read errors and timeouts; any other status fails at once, since a 404 will
 * not heal. {@code retry_on} and {@code fail_on} in the command move statuses between the two. {@code Retry-After}
 * (seconds or an HTTP date) on 429 and 503 sets the delay; on any status {@code Queue-Retry-After: <seconds>} asks for
 * a retry after that long and {@code Queue-No-Retry: 1} for none; a 2xx with {@code Queue-Snooze: <seconds>} runs the
 * job again after that long without using an attempt.
 */
public record AnswerRules(Set<Integer> retryOn, Set<Integer> failOn) {
    /** The statuses retried by default; also what the circuit breaker counts as a host failing. */
    public static final Set<Integer> RETRYABLE = Set.of(408, 425, 429, 500, 502, 503, 504);
    static final long MAX_DELAY_SECONDS = 30L * 86_400;

    public static final AnswerRules DEFAULTS = new AnswerRules(Set.of(), Set.of());

    static AnswerRules parse(JsonFields f) {
        StatusLists lists = StatusLists.parse(f);
        return new AnswerRules(lists.retryOn(), lists.failOn());
    }

    /** What the answer asks for; {@code success} is whether the status counts as done for this command. */
    Outcome.Next judge(int status, boolean success, HttpHeaders headers) {
        if (success) {
            return seconds(headers, "Queue-Snooze").map(s -> new Outcome.Next(Outcome.Kind.SNOOZE, s * 1000,
                    "Queue-Snooze: " + s)).orElse(Outcome.Next.DEFAULT);
        }
        if (headers.firstValue("Queue-No-Retry").map(v -> v.trim().equals("1") || v.trim().equalsIgnoreCase("true"))
                .orElse(false)) {
            return new Outcome.Next(Outcome.Kind.FAIL, 0, "Queue-No-Retry");
        }
        var asked = seconds(headers, "Queue-Retry-After");
        if (asked.isPresent()) {
            return new Outcome.Next(Outcome.Kind.RETRY, asked.get() * 1000, "Queue-Retry-After: " + asked.get());
        }
        boolean retryable = retryOn.contains(status) || !failOn.contains(status) && RETRYABLE.contains(status);
        if (!retryable) {
            return new Outcome.Next(Outcome.Kind.FAIL, 0, "HTTP status " + status + " is not retried");
        }
        if (status == 429 || status == 503) {
            var after = retryAfter(headers.firstValue("Retry-After").orElse(null), Instant.now());
            if (after != null) {
                return new Outcome.Next(Outcome.Kind.RETRY, after.toMillis(), "Retry-After: " + after.toSeconds() + " s");
            }
        }
        return new Outcome.Next(Outcome.Kind.RETRY, 0, null);
    }

    private static java.util.Optional<Long> seconds(HttpHeaders headers, String name) {
        return headers.firstValue(name).flatMap(v -> {
            try {
                long s = Long.parseLong(v.trim());
                return s >= 0 ? java.util.Optional.of(Math.min(s, MAX_DELAY_SECONDS)) : java.util.Optional.empty();
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        });
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.matches("\\d{1,10}")) {
            return Duration.ofSeconds(Math.min(Long.parseLong(v), MAX_DELAY_SECONDS));
        }
        try {
            Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() ? Duration.ZERO : d.compareTo(Duration.ofSeconds(MAX_DELAY_SECONDS)) > 0
                    ? Duration.ofSeconds(MAX_DELAY_SECONDS) : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
