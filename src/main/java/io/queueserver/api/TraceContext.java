package io.queueserver.api;

import io.queueserver.core.Json;
import io.queueserver.workers.HttpCommand;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * W3C trace context of a submit: the job's http request and its http callbacks carry {@code traceparent} (and
 * {@code tracestate} when the submit had one), so the application sees one trace from submit to callback. It
 * continues the submit's {@code traceparent} when that is valid (same trace id, a span id of its own), else starts a
 * new trace. A header the job sets itself is left as it is.
 */
record TraceContext(String traceparent, String tracestate) {
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final int MAX_TRACESTATE = 512;

    static TraceContext of(String incoming, String tracestate) {
        var m = incoming == null ? null : TRACEPARENT.matcher(incoming.trim().toLowerCase(Locale.ROOT));
        boolean valid = m != null && m.matches() && !m.group(1).matches("0+") && !m.group(2).matches("0+");
        String traceId = valid ? m.group(1) : hex(16);
        String flags = valid ? m.group(3) : "01";
        String state = valid && tracestate != null && !tracestate.isBlank() && tracestate.length() <= MAX_TRACESTATE
                && tracestate.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? tracestate.trim() : null;
        return new TraceContext("00-" + traceId + "-" + hex(8) + "-" + flags, state);
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        do {
            ThreadLocalRandom.current().nextBytes(b); // ids need to be unique, not secret: no contended SecureRandom
        } while (HexFormat.of().formatHex(b).matches("0+"));
        return HexFormat.of().formatHex(b);
    }

    /** The job with the trace headers added to its http command and http callbacks. */
    JsonObject into(JsonObject job) {
        JsonObjectBuilder b = Json.createObjectBuilder(job);
        for (String name : new String[] {"command", "callback_done", "callback_failed"}) {
            if (job.get(name) instanceof JsonObject command && command.get("type") instanceof JsonString type
                    && type.getString().equals("http")) {
                b.add(name, withHeaders(command));
            }
        }
        return b.build();
    }

    private JsonObject withHeaders(JsonObject command) {
        JsonObject headers = command.get("headers") instanceof JsonObject h ? h : JsonValue.EMPTY_JSON_OBJECT;
        int adding = tracestate == null ? 1 : 2;
        if (headers.size() + adding > HttpCommand.MAX_HEADERS
                || headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("traceparent"))) {
            return command; // set by the job itself, or no room left under the header limit
        }
        JsonObjectBuilder h = Json.createObjectBuilder(headers).add("traceparent", traceparent);
        if (tracestate != null) {
            h.add("tracestate", tracestate);
        }
        return Json.createObjectBuilder(command).add("headers", h).build();
    }
}
