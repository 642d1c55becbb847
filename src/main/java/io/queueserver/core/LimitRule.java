package io.queueserver.core;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A flow-control rule. Its key names what it limits: a concurrency key ({@code mailing}), every key with a prefix
 * ({@code tenant-*}, each key on its own), a context ({@code context:billing}, pause only), a target host
 * ({@code host:api.stripe.com}, rates only) or the whole queue ({@code *}, pause only). Every limit is optional;
 * several rules may apply to one job, and each holds. A key or pattern rule may also carry the key's default
 * {@code retry} policy ({@link KeyRetry}).
 */
public record LimitRule(String key, Integer concurrency, List<Rate> rates, Integer burst, boolean paused,
                        Long maxBacklog, Integer weight, KeyRetry retry) {
    public static final int MAX_KEY = 200;
    public static final String QUEUE = "*";
    public static final String HOST = "host:";
    public static final String CONTEXT = "context:";

    public enum Kind { QUEUE, KEY, PATTERN, CONTEXT, HOST }

    /** {@code tokens} per {@code per}, e.g. 10/s. */
    public record Rate(long tokens, Duration per) {
        private static final Pattern TEXT = Pattern.compile("(\\d{1,9})/([smh])");

        /** {@code N/s}, {@code N/m} or {@code N/h}; empty when the text is none of these. */
        public static java.util.Optional<Rate> parse(String text) {
            Matcher m = TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                return java.util.Optional.empty();
            }
            Duration per = switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                default -> Duration.ofHours(1);
            };
            return java.util.Optional.of(new Rate(Long.parseLong(m.group(1)), per));
        }

        public double perSecond() {
            return tokens / (per.toMillis() / 1000.0);
        }

        public String text() {
            return tokens + "/" + (per.toHours() == 1 ? "h" : per.toMinutes() == 1 ? "m" : "s");
        }
    }

    public LimitRule {
        rates = rates == null ? List.of() : List.copyOf(rates);
    }

    public static LimitRule none(String key) {
        return new LimitRule(key, null, List.of(), null, false, null, null, null);
    }

    public Kind kind() {
        if (key.equals(QUEUE)) {
            return Kind.QUEUE;
        }
        if (key.startsWith(HOST)) {
            return Kind.HOST;
        }
        if (key.startsWith(CONTEXT)) {
            return Kind.CONTEXT;
        }
        return key.endsWith("*") ? Kind.PATTERN : Kind.KEY;
    }

    /** The part after the prefix: the host, the context, or a pattern's prefix. */
    public String name() {
        return switch (kind()) {
            case HOST -> key.substring(HOST.length());
            case CONTEXT -> key.substring(CONTEXT.length());
            case PATTERN -> key.substring(0, key.length() - 1);
            default -> key;
        };
    }

    /** Whether this key or pattern rule applies to jobs of this concurrency key. */
    public boolean appliesTo(String concurrencyKey) {
        return switch (kind()) {
            case KEY -> key.equals(concurrencyKey);
            case PATTERN -> concurrencyKey.startsWith(name());
            default -> false;
        };
    }

    /** A concurrency key may not look like a rule of another kind. */
    public static boolean reserved(String concurrencyKey) {
        return concurrencyKey.endsWith("*") || concurrencyKey.startsWith(HOST) || concurrencyKey.startsWith(CONTEXT);
    }

    /** What one bucket of this rate holds at most: {@code burst}, or one period's tokens. */
    public double capacity(Rate rate) {
        return burst != null ? burst : Math.max(1, rate.tokens());
    }

    /** Limits something running: a concurrency or a rate. */
    public boolean throttles() {
        return concurrency != null || !rates.isEmpty();
    }

    public String ratesText() {
        return rates.isEmpty() ? null : rates.stream().map(Rate::text).collect(Collectors.joining(","));
    }

    public LimitRule withPaused(boolean p) {
        return new LimitRule(key, concurrency, rates, burst, p, maxBacklog, weight, retry);
    }
}
