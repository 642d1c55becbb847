package io.queueserver.core;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.ArrayList;
import java.util.List;

/**
 * A rule as {@code PUT /limits/{key}} and {@code QUEUE_LIMITS} give it: {@code {"concurrency": 2, "rate": "10/s" or
 * ["10/s","1000/h"], "burst": 20, "paused": false, "max_backlog": 10000, "weight": 1, "retry": {...}}}, every field
 * optional; and the key itself. Each refusal names its field.
 */
public final class LimitBody {
    static final long MAX_PER_SECOND = 100_000;

    private LimitBody() {
    }

    /** A key as a rule names it; {@code *} (the whole queue) only where {@code queueAllowed}. */
    public static String key(String key, boolean queueAllowed) {
        if (key == null || key.isBlank() || key.length() > LimitRule.MAX_KEY + LimitRule.CONTEXT.length()
                || key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidField("key", "must be 1 to " + LimitRule.MAX_KEY + " printable characters");
        }
        LimitRule rule = LimitRule.none(key);
        switch (rule.kind()) {
            case QUEUE -> {
                if (!queueAllowed) {
                    throw new InvalidField("key", "'*' is the whole queue, which can only be paused and resumed"
                            + " (POST /limits/*/pause); a pattern needs a prefix, e.g. 'tenant-*'");
                }
            }
            case PATTERN -> {
                if (rule.name().contains("*")) {
                    throw new InvalidField("key", "a pattern is a prefix followed by one '*', e.g. 'tenant-*'");
                }
            }
            case HOST -> {
                if (!hostName(rule.name())) {
                    throw new InvalidField("key", "'host:' must be followed by a lower-case host name, e.g."
                            + " 'host:api.example.com'");
                }
            }
            case CONTEXT -> {
                if (rule.name().isEmpty()) {
                    throw new InvalidField("key", "'context:' must be followed by a context");
                }
            }
            default -> {
                if (key.contains("*")) {
                    throw new InvalidField("key", "'*' may only end a pattern, e.g. 'tenant-*'");
                }
            }
        }
        return key;
    }

    /** A lower-case host name as {@code host:} rules and filters name hosts ({@link Claim#targetHost}). */
    public static boolean hostName(String name) {
        return name.matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");
    }

    public static LimitRule parse(String rawKey, JsonValue body) {
        String key = key(rawKey, true);
        if (!(body instanceof JsonObject object)) {
            throw new InvalidField("body", "must be a JSON object, e.g. {\"concurrency\": 2, \"rate\": \"10/s\"}");
        }
        for (String name : object.keySet()) {
            if (!List.of("concurrency", "rate", "burst", "paused", "max_backlog", "weight", "retry").contains(name)) {
                throw new InvalidField(name, "is not a field of a limit (concurrency, rate, burst, paused, max_backlog,"
                        + " weight, retry)");
            }
        }
        JsonFields f = new JsonFields(object, "");
        Integer concurrency = f.has("concurrency") ? (int) f.number("concurrency", 0, 1, 100_000) : null;
        List<LimitRule.Rate> rates = rates(object.get("rate"));
        Integer burst = f.has("burst") ? (int) f.number("burst", 0, 1, 1_000_000) : null;
        boolean paused = f.bool("paused", false);
        Long maxBacklog = f.has("max_backlog") ? f.number("max_backlog", 0, 1, 1_000_000_000) : null;
        Integer weight = f.has("weight") ? (int) f.number("weight", 0, 1, 100) : null;
        KeyRetry retry = f.has("retry") ? KeyRetry.parse(object.get("retry"), "retry") : null;
        if (burst != null && rates.isEmpty()) {
            throw new InvalidField("burst", "applies to a rate: give a rate too");
        }
        LimitRule rule = new LimitRule(key, concurrency, rates, burst, paused, maxBacklog, weight, retry);
        if (retry != null && rule.kind() != LimitRule.Kind.KEY && rule.kind() != LimitRule.Kind.PATTERN) {
            throw new InvalidField("retry", "is a default of a concurrency key or pattern, not of '" + key + "'");
        }
        switch (rule.kind()) {
            case QUEUE -> onlyPause(rule, "'*' (the whole queue)");
            case CONTEXT -> onlyPause(rule, "a 'context:' key");
            case HOST -> {
                if (concurrency != null || maxBacklog != null || weight != null) {
                    throw new InvalidField(concurrency != null ? "concurrency" : maxBacklog != null ? "max_backlog"
                            : "weight", "a 'host:' key takes rate limits (rate, burst) and pauses only");
                }
            }
            default -> { }
        }
        return rule;
    }

    private static void onlyPause(LimitRule rule, String what) {
        if (rule.concurrency() != null || !rule.rates().isEmpty() || rule.maxBacklog() != null || rule.weight() != null) {
            throw new InvalidField("key", what + " can only be paused and resumed");
        }
    }

    private static List<LimitRule.Rate> rates(JsonValue value) {
        if (value == null || value == JsonValue.NULL) {
            return List.of();
        }
        List<JsonValue> items = value instanceof JsonArray array ? array : List.of(value);
        if (items.isEmpty() || items.size() > 5) {
            throw new InvalidField("rate", "must be one rate or a list of 1 to 5 rates");
        }
        List<LimitRule.Rate> rates = new ArrayList<>();
        for (JsonValue item : items) {
            LimitRule.Rate rate = item instanceof JsonString s ? LimitRule.Rate.parse(s.getString()).orElse(null) : null;
            if (rate == null || rate.tokens() < 1) {
                throw new InvalidField("rate", "must be N/s, N/m or N/h with N at least 1, e.g. \"10/s\", or a list"
                        + " of them");
            }
            if (rate.perSecond() > MAX_PER_SECOND) {
                throw new InvalidField("rate", "must be at most " + MAX_PER_SECOND + " per second");
            }
            if (rates.stream().anyMatch(r -> r.per().equals(rate.per()))) {
                throw new InvalidField("rate", "has two rates per " + rate.text().replaceAll(".*/", "") + "; give one");
            }
            rates.add(rate);
        }
        return rates;
    }
}
