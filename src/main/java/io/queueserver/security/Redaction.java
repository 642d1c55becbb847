package io.queueserver.security;

import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.util.Locale;
import java.util.Set;

/**
 * Hides secrets of a job in what the API and dashboard show: every member whose name looks like a credential
 * (Authorization, Cookie, X-Api-Key, anything with token, secret or password in its name ...) at any depth, so
 * headers, params, env and custom fields alike. The stored payload keeps the real values: the job needs them.
 */
public final class Redaction {
    public static final String MASK = "***";
    private static final Set<String> NAMES = Set.of("authorization", "proxyauthorization", "cookie", "setcookie",
            "auth", "xauth", "apikey", "xapikey", "signature", "webhooksignature");
    private static final String[] PARTS = {"token", "secret", "password", "passwd", "apikey", "credential",
            "privatekey", "accesskey", "sessionid"};

    private Redaction() {
    }

    public static boolean isSensitive(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (NAMES.contains(n)) {
            return true;
        }
        for (String part : PARTS) {
            if (n.contains(part)) {
                return true;
            }
        }
        return false;
    }

    public static JsonValue redact(JsonValue value) {
        if (value instanceof JsonObject object) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            object.forEach((name, member) -> b.add(name, isSensitive(name) ? mask(member) : redact(member)));
            return b.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            array.forEach(v -> b.add(redact(v)));
            return b.build();
        }
        return value;
    }

    private static JsonValue mask(JsonValue value) {
        if (value instanceof JsonObject) {
            return redact(value);
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            array.forEach(v -> b.add(mask(v)));
            return b.build();
        }
        return value == JsonValue.NULL ? value : Json.createValue(MASK);
    }
}
