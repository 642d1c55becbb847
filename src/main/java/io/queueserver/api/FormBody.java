package io.queueserver.api;

import io.queueserver.core.InvalidField;

import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTML form as the PHP original received it: {@code priority=800&command[type]=http&command[params][a]=1}
 * becomes nested JSON; a member whose value is a JSON object ({@code command={"type":"http",...}}) is parsed.
 */
final class FormBody {
    private static final int MAX_FIELDS = 200;

    private FormBody() {
    }

    static JsonObject parse(String body) {
        Map<String, Object> root = new LinkedHashMap<>();
        String[] pairs = body.split("&");
        if (pairs.length > MAX_FIELDS) {
            throw new InvalidField("body", "has more than " + MAX_FIELDS + " form fields");
        }
        for (String pair : pairs) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            put(root, path(key), value);
        }
        return (JsonObject) toJson(root);
    }

    private static String[] path(String key) {
        int open = key.indexOf('[');
        if (open <= 0) {
            return new String[] {key};
        }
        if (!key.endsWith("]")) {
            throw new InvalidField(key, "is not a valid form field name");
        }
        String head = key.substring(0, open);
        String[] rest = key.substring(open + 1, key.length() - 1).split("\\]\\[", -1);
        String[] all = new String[rest.length + 1];
        all[0] = head;
        System.arraycopy(rest, 0, all, 1, rest.length);
        if (all.length > RequestBody.MAX_DEPTH) {
            throw new InvalidField(head, "is nested too deeply");
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String[] path, String value) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.length - 1; i++) {
            Object child = node.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
            if (!(child instanceof Map)) {
                throw new InvalidField(String.join(".", path), "conflicts with another form field");
            }
            node = (Map<String, Object>) child;
        }
        node.put(path[path.length - 1], value);
    }

    @SuppressWarnings("unchecked")
    private static JsonValue toJson(Object node) {
        if (node instanceof Map<?, ?> map) {
            JsonObjectBuilder builder = Json.createObjectBuilder();
            ((Map<String, Object>) map).forEach((k, v) -> builder.add(k, toJson(v)));
            return builder.build();
        }
        String text = (String) node;
        if (text.startsWith("{")) {
            return RequestBody.parseJson(text);
        }
        return Json.createValue(text);
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidField("body", "is not a valid form encoding");
        }
    }
}
