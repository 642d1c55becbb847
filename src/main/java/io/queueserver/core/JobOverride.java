package io.queueserver.core;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.List;
import java.util.Locale;

/**
 * What a redrive changes in the http jobs it retries: {@code url} (e.g. the endpoint moved), {@code headers} (added,
 * or replacing those of the same name) and the request's payload, {@code body} (text) or {@code json}, which
 * replaces the job's own. Only http jobs can be changed.
 */
public record JobOverride(JsonObject fields) {
    static final List<String> FIELDS = List.of("url", "headers", "body", "json");

    /** The override's shape; its values are checked as an http command's by the caller ({@link #asCommand}). */
    public static JobOverride parse(JsonValue value, String path) {
        if (value == null || value == JsonValue.NULL) {
            return null;
        }
        JsonFields f = JsonFields.known(value, path, "an override", FIELDS);
        if (f.object().isEmpty()) {
            throw new InvalidField(path, "must name one or more of " + String.join(", ", FIELDS));
        }
        f.string("url", null, 8192);
        f.object("headers");
        return new JobOverride(f.object());
    }

    /**
     * The override as an http command of its own, so that every value is checked by the http command's rules:
     * {@code probeUrl} stands in for a url it does not give; with a payload the method is POST.
     */
    public JsonObject asCommand(String probeUrl) {
        JsonObjectBuilder c = Json.createObjectBuilder(fields).add("type", "http");
        if (!fields.containsKey("url")) {
            c.add("url", probeUrl);
        }
        return c.add("method", fields.containsKey("body") || fields.containsKey("json") ? "POST" : "GET").build();
    }

    public boolean hasUrl() {
        return fields.containsKey("url");
    }

    /** The job with the override applied to its http command; refused (naming {@code command}) for other jobs. */
    public JsonObject applyTo(JsonObject job) {
        if (!(job.get("command") instanceof JsonObject command) || !"http".equals(command.getString("type", null))) {
            throw new InvalidField("command", "is not an http command: the override does not apply");
        }
        JsonObjectBuilder c = Json.createObjectBuilder(command);
        if (fields.get("url") instanceof JsonString url) {
            c.add("url", url);
        }
        if (fields.get("headers") instanceof JsonObject headers) {
            JsonObjectBuilder merged = Json.createObjectBuilder();
            if (command.get("headers") instanceof JsonObject own) {
                own.forEach((name, v) -> {
                    if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase(name))) {
                        merged.add(name, v);
                    }
                });
            }
            headers.forEach(merged::add);
            c.add("headers", merged);
        }
        if (fields.containsKey("body") || fields.containsKey("json")) {
            c.remove("body");
            c.remove("json");
            fields.forEach((name, v) -> {
                if (name.equals("body") || name.equals("json")) {
                    c.add(name, v);
                }
            });
        }
        return Json.createObjectBuilder(job).add("command", c).build();
    }

    /** The names the override changes, for the audit log (never its values). */
    public String summary() {
        String headers = fields.get("headers") instanceof JsonObject h ? " (" + String.join(", ", h.keySet()) + ")" : "";
        return String.join(", ", fields.keySet()).toLowerCase(Locale.ROOT).replace("headers", "headers" + headers);
    }
}
