package io.queueserver.api;

import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.util.List;

/**
 * The member order a job is stored in: its command first, and in the command what a job list shows of it (type,
 * method, url, cmd, argv), so that lists can read a bounded prefix of the payload instead of all of it.
 */
final class StoredPayload {
    private static final List<String> SHOWN_FIRST = List.of("type", "method", "url", "cmd", "argv");

    private StoredPayload() {
    }

    static JsonObject commandFirst(JsonObject job) {
        if (!(job.get("command") instanceof JsonObject command)) {
            return job;
        }
        JsonObjectBuilder c = Json.createObjectBuilder();
        SHOWN_FIRST.stream().filter(command::containsKey).forEach(k -> c.add(k, command.get(k)));
        command.forEach((k, v) -> {
            if (!SHOWN_FIRST.contains(k)) {
                c.add(k, v);
            }
        });
        JsonObjectBuilder b = Json.createObjectBuilder().add("command", c);
        job.forEach((k, v) -> {
            if (!k.equals("command")) {
                b.add(k, v);
            }
        });
        return b.build();
    }
}
