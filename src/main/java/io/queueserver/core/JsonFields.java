package io.queueserver.core;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Typed, bounded reads of one JSON object's members. Every failure names the field by its full path
 * (e.g. {@code command.timeout}). Numbers may come as strings because form bodies carry only strings.
 */
public record JsonFields(JsonObject object, String path) {

    /**
     * {@code value} as an object whose members are all among {@code names}, else refused naming the field (the
     * object itself, {@code body} at the top, or the unknown member); {@code what} names the object, e.g. "a redrive".
     */
    public static JsonFields known(JsonValue value, String path, String what, java.util.List<String> names) {
        if (!(value instanceof JsonObject object)) {
            throw new InvalidField(path.isEmpty() ? "body" : path, "must be a JSON object of " + String.join(", ", names));
        }
        JsonFields f = new JsonFields(object, path);
        for (String name : object.keySet()) {
            if (!names.contains(name)) {
                throw new InvalidField(f.field(name), "is not a field of " + what + " (" + String.join(", ", names) + ")");
            }
        }
        return f;
    }

    public String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    public boolean has(String name) {
        return object.containsKey(name) && object.get(name).getValueType() != JsonValue.ValueType.NULL;
    }

    public String string(String name, String fallback, int maxLength) {
        if (!has(name)) {
            return fallback;
        }
        JsonValue value = object.get(name);
        if (!(value instanceof JsonString s)) {
            throw new InvalidField(field(name), "must be a string");
        }
        String text = s.getString();
        if (text.length() > maxLength) {
            throw new InvalidField(field(name), "must be at most " + maxLength + " characters long");
        }
        return text;
    }

    public String requiredString(String name, int maxLength) {
        String text = string(name, null, maxLength);
        if (text == null || text.isBlank()) {
            throw new InvalidField(field(name), "is required");
        }
        return text;
    }

    /** A string without control characters (no CR/LF smuggling into headers, logs or SQL-visible values). */
    public String plainString(String name, String fallback, int maxLength) {
        String text = string(name, fallback, maxLength);
        if (text != null && text.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidField(field(name), "must not contain control characters");
        }
        return text;
    }

    public long number(String name, long fallback, long min, long max) {
        if (!has(name)) {
            return fallback;
        }
        JsonValue value = object.get(name);
        long result;
        if (value instanceof JsonNumber n && n.isIntegral()) {
            try {
                result = n.bigIntegerValueExact().longValueExact();
            } catch (ArithmeticException e) {
                throw new InvalidField(field(name), "must be between " + min + " and " + max);
            }
        } else if (value instanceof JsonString s && s.getString().matches("-?\\d{1,18}")) {
            result = Long.parseLong(s.getString());
        } else {
            throw new InvalidField(field(name), "must be an integer");
        }
        if (result < min || result > max) {
            throw new InvalidField(field(name), "must be between " + min + " and " + max);
        }
        return result;
    }

    public boolean bool(String name, boolean fallback) {
        if (!has(name)) {
            return fallback;
        }
        JsonValue value = object.get(name);
        if (value == JsonValue.TRUE || value instanceof JsonString s && s.getString().equals("true")) {
            return true;
        }
        if (value == JsonValue.FALSE || value instanceof JsonString s && s.getString().equals("false")) {
            return false;
        }
        throw new InvalidField(field(name), "must be true or false");
    }

    public JsonObject object(String name) {
        if (!has(name)) {
            return null;
        }
        JsonValue value = object.get(name);
        if (!(value instanceof JsonObject o)) {
            throw new InvalidField(field(name), "must be an object");
        }
        return o;
    }

    /** The object without its null members (a null member means the same as a missing one). */
    public JsonObject withoutNulls() {
        jakarta.json.JsonObjectBuilder kept = Json.createObjectBuilder();
        object.forEach((name, v) -> {
            if (v != JsonValue.NULL) {
                kept.add(name, v);
            }
        });
        return kept.build();
    }

    public JsonFields nested(String name) {
        JsonObject nested = object(name);
        return nested == null ? null : new JsonFields(nested, field(name));
    }
}
