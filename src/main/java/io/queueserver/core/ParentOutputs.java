package io.queueserver.core;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's use of its parents' results: {@code __PARENT_OUTPUT__{name}} is the whole output of the parent called
 * {@code name}, {@code __PARENT_OUTPUT__{name/items/0/id}} the value at that JSON pointer in its output (a string as
 * it is, anything else as JSON). They are replaced in the command's strings when the job is released: in the url
 * URL-encoded, elsewhere as they are, each within the one string that held it (an exec argument stays one argument).
 */
public final class ParentOutputs {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern PLACEHOLDER = Pattern.compile("__PARENT_OUTPUT__\\{([^}/]*)(/[^}]*)?}");

    private ParentOutputs() {
    }

    /** The parent names a command's placeholders use. */
    public static Set<String> names(JsonValue command) {
        Set<String> names = new LinkedHashSet<>();
        strings(command, text -> {
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                names.add(m.group(1));
            }
        });
        return names;
    }

    private static void strings(JsonValue value, java.util.function.Consumer<String> each) {
        if (value instanceof JsonString s) {
            each.accept(s.getString());
        } else if (value instanceof JsonObject o) {
            o.values().forEach(v -> strings(v, each));
        } else if (value instanceof JsonArray a) {
            a.forEach(v -> strings(v, each));
        }
    }

    /** The text with every placeholder replaced by {@code 0}, for checks made before the values are known. */
    public static String standIn(String text) {
        return PLACEHOLDER.matcher(text).replaceAll("0");
    }

    /** Whether a string uses a placeholder (exec's {@code cmd} string may not: it is split into arguments). */
    public static boolean uses(String text) {
        return text != null && PLACEHOLDER.matcher(text).find();
    }

    /**
     * The job with its command's placeholders replaced by the parents' {@code outputs} (by name).
     *
     * @throws IllegalArgumentException naming the placeholder whose value cannot be had
     */
    public static JsonObject apply(JsonObject job, Map<String, String> outputs) {
        if (!(job.get("command") instanceof JsonObject command) || names(command).isEmpty()) {
            return job;
        }
        JsonObjectBuilder replaced = Json.createObjectBuilder();
        command.forEach((field, value) -> replaced.add(field, replace(value, outputs, field.equals("url"))));
        return Json.createObjectBuilder(job).add("command", replaced).build();
    }

    private static JsonValue replace(JsonValue value, Map<String, String> outputs, boolean url) {
        if (value instanceof JsonString s) {
            Matcher m = PLACEHOLDER.matcher(s.getString());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String v = value(m.group(), m.group(1), m.group(2), outputs);
                m.appendReplacement(out, Matcher.quoteReplacement(url ? URLEncoder.encode(v, StandardCharsets.UTF_8)
                        .replace("+", "%20") : v));
            }
            m.appendTail(out);
            return Json.createValue(out.toString());
        }
        if (value instanceof JsonObject o) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            o.forEach((k, v) -> b.add(k, replace(v, outputs, url)));
            return b.build();
        }
        if (value instanceof JsonArray a) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            a.forEach(v -> b.add(replace(v, outputs, url)));
            return b.build();
        }
        return value;
    }

    private static String value(String placeholder, String name, String pointer, Map<String, String> outputs) {
        if (!outputs.containsKey(name)) {
            throw new IllegalArgumentException(placeholder + ": no parent called '" + name + "'");
        }
        String output = outputs.get(name) == null ? "" : outputs.get(name);
        if (pointer == null) {
            return output;
        }
        JsonStructure parsed;
        try {
            parsed = Json.createReader(new StringReader(output)).read();
        } catch (JsonException e) {
            throw new IllegalArgumentException(placeholder + ": the output of '" + name + "' is not JSON");
        }
        try {
            JsonValue v = jakarta.json.Json.createPointer(pointer).getValue(parsed);
            return v instanceof JsonString s ? s.getString() : v.toString();
        } catch (JsonException e) {
            throw new IllegalArgumentException(placeholder + ": the output of '" + name + "' has nothing at " + pointer);
        }
    }
}
