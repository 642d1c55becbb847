package io.queueserver.engine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A period setting ({@code QUEUE_RETENTION}, {@code QUEUE_PRUNE_EVERY}): a number of seconds, or a number with a unit:
 * {@code 7d}, {@code 12h}, {@code 30m}, {@code 90s}.
 */
public final class RetentionPeriod {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*([dhms]?)");

    private RetentionPeriod() {
    }

    public static Duration parse(String text) {
        return parse(text, "QUEUE_RETENTION");
    }

    public static Duration parse(String text, String variable) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase());
        if (!m.matches()) {
            throw new IllegalArgumentException(variable + " must look like 7d, 12h, 30m or 3600, not '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
