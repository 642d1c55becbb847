package io.queueserver.core;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.time.LocalDateTime;
import java.util.List;

/**
 * Which failed jobs a redrive retries: {@code context} and {@code concurrency_key} (exact), {@code host} (the host
 * an http job calls), {@code error} (text in the job's error, any case), and {@code since} / {@code until} (RFC 3339:
 * when the job failed). Every field is optional; the empty filter is every failed job.
 */
public record RedriveFilter(String context, String concurrencyKey, String host, String error, LocalDateTime since,
                            LocalDateTime until, JsonObject json) {
    static final List<String> FIELDS = List.of("context", "concurrency_key", "host", "error", "since", "until");

    public static RedriveFilter parse(JsonValue value, String path) {
        if (value == null || value == JsonValue.NULL) {
            return parse(JsonValue.EMPTY_JSON_OBJECT, path);
        }
        JsonFields f = JsonFields.known(value, path, "a redrive filter", FIELDS);
        String host = f.plainString("host", null, 253);
        if (host != null && !LimitBody.hostName(host)) {
            throw new InvalidField(f.field("host"), "must be a lower-case host name, e.g. api.example.com");
        }
        LocalDateTime since = Times.utc(f, "since");
        LocalDateTime until = Times.utc(f, "until");
        if (since != null && until != null && !until.isAfter(since)) {
            throw new InvalidField(f.field("until"), "must be after since");
        }
        return new RedriveFilter(nonBlank(f, "context", 100), nonBlank(f, "concurrency_key", LimitRule.MAX_KEY), host,
                nonBlank(f, "error", 200), since, until, f.withoutNulls());
    }

    private static String nonBlank(JsonFields f, String name, int max) {
        String text = f.plainString(name, null, max);
        if (text != null && text.isBlank()) {
            throw new InvalidField(f.field(name), "must not be empty");
        }
        return text;
    }
}
