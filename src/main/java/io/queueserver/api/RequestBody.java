package io.queueserver.api;

import io.queueserver.core.InvalidField;

import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads a request body into JSON: bounded in size (413), strict UTF-8, JSON or an HTML form (415 otherwise),
 * bounded nesting depth. A form body that is itself JSON (what {@code curl -d '{...}'} sends) is read as JSON.
 */
public final class RequestBody {
    public static final int MAX_DEPTH = 32;

    private RequestBody() {
    }

    public static JsonValue read(InputStream in, String contentType, int limit) {
        return read(in, contentType, limit, true);
    }

    /** Like {@link #read(InputStream, String, int)}; an empty body reads as {@code {}} when not required. */
    public static JsonValue read(InputStream in, String contentType, int limit, boolean required) {
        String type = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        boolean json = type.equals("application/json") || type.endsWith("+json");
        boolean form = type.equals("application/x-www-form-urlencoded");
        if (!json && !form && !type.isEmpty()) {
            throw new InvalidField(415, "Content-Type",
                    "unsupported content type '" + type + "': send application/json or application/x-www-form-urlencoded");
        }
        String text = utf8(bytes(in, limit));
        if (text.isBlank() && !required) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        if (text.isBlank()) {
            throw new InvalidField("body", "is empty: send a JSON object");
        }
        char first = text.stripLeading().charAt(0);
        if (form && first != '{' && first != '[') {
            return FormBody.parse(text);
        }
        return parseJson(text);
    }

    static JsonValue parseJson(String text) {
        JsonValue value;
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            parser.next();
            value = parser.getValue();
            if (parser.hasNext()) {
                throw new InvalidField("body", "has more content after the JSON value");
            }
        } catch (InvalidField e) {
            throw e;
        } catch (JsonParsingException e) {
            var at = e.getLocation();
            throw new InvalidField("body", "is not valid JSON"
                    + (at != null ? " (line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ")" : ""));
        } catch (RuntimeException e) {
            throw new InvalidField("body", "is not valid JSON");
        }
        if (depth(value) > MAX_DEPTH) {
            throw new InvalidField("body", "is nested deeper than " + MAX_DEPTH + " levels");
        }
        return value;
    }

    private static byte[] bytes(InputStream in, int limit) {
        if (in == null) {
            return new byte[0];
        }
        try {
            byte[] data = in.readNBytes(limit + 1);
            if (data.length > limit) {
                throw new InvalidField(413, "body", "is larger than the limit of " + limit + " bytes");
            }
            return data;
        } catch (IOException e) {
            throw new InvalidField("body", "could not be read: " + e.getMessage());
        }
    }

    private static String utf8(byte[] data) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidField("body", "is not valid UTF-8");
        }
    }

    private static int depth(JsonValue value) {
        if (value instanceof JsonObject o) {
            return 1 + o.values().stream().mapToInt(RequestBody::depth).max().orElse(0);
        }
        if (value instanceof JsonArray a) {
            return 1 + a.stream().mapToInt(RequestBody::depth).max().orElse(0);
        }
        return 0;
    }
}
