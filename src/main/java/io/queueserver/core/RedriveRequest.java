package io.queueserver.core;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.List;

/**
 * A redrive as {@code POST /redrives} asks for it: {@code {"filter": {...}, "rate": "100/s", "override": {...}}}. The
 * failed jobs matching the filter are retried at most at {@code rate} ({@code N/s}, {@code N/m} or {@code N/h},
 * default {@value #DEFAULT_RATE}), so that redriving many jobs does not flood their target.
 */
public record RedriveRequest(RedriveFilter filter, LimitRule.Rate rate, JobOverride override) {
    public static final String DEFAULT_RATE = "10/s";
    static final double MAX_PER_SECOND = 10_000;
    static final List<String> FIELDS = List.of("filter", "rate", "override");

    public static RedriveRequest parse(JsonValue body) {
        JsonObject object = JsonFields.known(body, "", "a redrive", FIELDS).object();
        return new RedriveRequest(RedriveFilter.parse(object.get("filter"), "filter"), rate(object.get("rate")),
                JobOverride.parse(object.get("override"), "override"));
    }

    public static LimitRule.Rate rate(JsonValue value) {
        if (value == null || value == JsonValue.NULL) {
            return LimitRule.Rate.parse(DEFAULT_RATE).orElseThrow();
        }
        LimitRule.Rate rate = value instanceof JsonString s ? LimitRule.Rate.parse(s.getString()).orElse(null) : null;
        if (rate == null || rate.tokens() < 1 || rate.perSecond() > MAX_PER_SECOND) {
            throw new InvalidField("rate", "must be N/s, N/m or N/h with N at least 1 and at most "
                    + (long) MAX_PER_SECOND + " per second, e.g. \"100/s\"");
        }
        return rate;
    }
}
