package io.queueserver.workers;

import io.queueserver.security.Redaction;
import io.queueserver.core.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * The response headers kept with an http job's output: a JSON object of name to list of values, bounded in count
 * and size, with secrets such as {@code Set-Cookie} replaced by {@code ***} before they are stored.
 */
public final class ResponseHeaders {
    static final int MAX_HEADERS = 100;
    static final int MAX_VALUE = 4096;
    static final int MAX_TOTAL = 32_768;

    private ResponseHeaders() {
    }

    public static String of(HttpHeaders headers) {
        if (headers == null) {
            return null;
        }
        JsonObjectBuilder result = Json.createObjectBuilder();
        int count = 0;
        int total = 0;
        for (Map.Entry<String, List<String>> header : headers.map().entrySet()) {
            String name = header.getKey();
            if (name.startsWith(":") || ++count > MAX_HEADERS) {
                continue;
            }
            JsonArrayBuilder values = Json.createArrayBuilder();
            for (String value : header.getValue()) {
                String kept = Redaction.isSensitive(name) ? Redaction.MASK
                        : value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
                total += name.length() + kept.length();
                if (total > MAX_TOTAL) {
                    break;
                }
                values.add(kept);
            }
            if (total > MAX_TOTAL) {
                break;
            }
            result.add(name.toLowerCase(java.util.Locale.ROOT), values);
        }
        return result.build().toString();
    }
}
