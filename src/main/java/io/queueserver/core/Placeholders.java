package io.queueserver.core;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.Map;

/** Replaces {@code __JOBID__}, {@code __STATUS__} ... in every string of a command (url, params, headers, body, cmd). */
public final class Placeholders {
    private Placeholders() {
    }

    public static JsonObject apply(JsonObject command, Map<String, String> values) {
        return (JsonObject) replace(command, values);
    }

    private static JsonValue replace(JsonValue value, Map<String, String> values) {
        if (value instanceof JsonString s) {
            String text = s.getString();
            for (var e : values.entrySet()) {
                text = text.replace(e.getKey(), e.getValue());
            }
            return Json.createValue(text);
        }
        if (value instanceof JsonObject o) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            o.forEach((k, v) -> b.add(k, replace(v, values)));
            return b.build();
        }
        if (value instanceof JsonArray a) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            a.forEach(v -> b.add(replace(v, values)));
            return b.build();
        }
        return value;
    }
}
