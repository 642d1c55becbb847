package io.queueserver.api;

import io.queueserver.core.Json;
import io.queueserver.security.Redaction;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonParser;

import java.io.StringReader;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What a listed job runs ({@code type}, {@code method}, {@code url}, {@code cmd}, {@code argv} of its command),
 * read from the first bytes of its payload: jobs are stored with these members first, and reading stops where the
 * prefix ends. Credentials are masked like everywhere else a job is shown.
 */
public final class CommandSummary {
    private static final Set<String> SHOWN = Set.of("type", "method", "url", "cmd", "argv");

    private CommandSummary() {
    }

    public static JsonObject of(String payloadHead, String type) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("type", type);
        if (payloadHead != null) {
            try (JsonParser p = Json.createParser(new StringReader(payloadHead))) {
                read(p, b);
            } catch (JsonException | NoSuchElementException | IllegalStateException cutShort) {
                // the prefix ended inside the payload: what was read is shown
            }
        }
        return Redaction.redact(b.build()).asJsonObject();
    }

    private static void read(JsonParser p, JsonObjectBuilder b) {
        if (p.next() != JsonParser.Event.START_OBJECT) {
            return;
        }
        while (p.next() == JsonParser.Event.KEY_NAME) {
            String key = p.getString();
            JsonParser.Event value = p.next();
            if (key.equals("command") && value == JsonParser.Event.START_OBJECT) {
                command(p, b);
                return;
            }
            skip(p, value);
        }
    }

    private static void command(JsonParser p, JsonObjectBuilder b) {
        while (p.next() == JsonParser.Event.KEY_NAME) {
            String key = p.getString();
            JsonParser.Event value = p.next();
            if (SHOWN.contains(key) && value == JsonParser.Event.VALUE_STRING) {
                b.add(key, p.getString());
            } else if (key.equals("argv") && value == JsonParser.Event.START_ARRAY) {
                JsonArrayBuilder words = Json.createArrayBuilder();
                try {
                    while (p.next() == JsonParser.Event.VALUE_STRING) {
                        words.add(p.getString());
                    }
                } finally {
                    b.add("argv", words);
                }
            } else {
                skip(p, value);
            }
        }
    }

    private static void skip(JsonParser p, JsonParser.Event value) {
        if (value == JsonParser.Event.START_OBJECT) {
            p.skipObject();
        } else if (value == JsonParser.Event.START_ARRAY) {
            p.skipArray();
        }
    }
}
