package io.queueserver.schedules;

import io.queueserver.core.Json;
import io.queueserver.core.JobSpec;
import io.queueserver.core.Placeholders;
import io.queueserver.core.Times;
import jakarta.json.JsonObject;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * The job a schedule fires, as the API validated it at {@code PUT} (stored payload with its command first and its
 * secrets sealed, and the fields read from it). Each firing is this job with a {@code schedule} member added to its
 * payload: {@code {"name": "nightly", "fire_at": "2026-03-29T01:00:00.000000Z", "manual": false}}, and
 * {@code __SCHEDULE__} and {@code __FIRE_TIME__} replaced in its strings by the name and the tick (values stored
 * sealed are left alone). A template has no absolute times and no unique key (see {@link ScheduleParser}).
 */
record JobTemplate(int priority, String context, String type, JsonObject payload, int maxAttempts,
                   String concurrencyKey, long delaySeconds, long expiresInSeconds) {
    static final String SCHEDULE_MEMBER = "schedule";

    static JobTemplate of(JobSpec spec) {
        return new JobTemplate(spec.priority(), spec.context(), spec.type(), spec.payload(), spec.maxAttempts(),
                spec.concurrencyKey(), spec.delaySeconds(), spec.expiresInSeconds());
    }

    /** The job of one firing. */
    JobSpec spec(String schedule, Instant fireAt, boolean manual) {
        String tick = Times.rest(LocalDateTime.ofInstant(fireAt, ZoneOffset.UTC));
        JsonObject payload = Json.createObjectBuilder(Placeholders.apply(this.payload, Map.of("__SCHEDULE__", schedule,
                "__FIRE_TIME__", tick))).add(SCHEDULE_MEMBER, Json.createObjectBuilder().add("name", schedule)
                .add("fire_at", tick).add("manual", manual)).build();
        return new JobSpec(priority, context, type, payload, null, delaySeconds, maxAttempts, null, concurrencyKey,
                null, expiresInSeconds);
    }

    String json() {
        return Json.createObjectBuilder().add("priority", priority).add("context", context).add("type", type)
                .add("max_attempts", maxAttempts).add("concurrency_key", concurrencyKey).add("delay", delaySeconds)
                .add("expires_in", expiresInSeconds).add("payload", payload).build().toString();
    }

    static JobTemplate parse(String json) {
        JsonObject o = Json.parse(json);
        return new JobTemplate(o.getInt("priority"), o.getString("context"), o.getString("type"),
                o.getJsonObject("payload"), o.getInt("max_attempts"), o.getString("concurrency_key"),
                o.getJsonNumber("delay").longValue(), o.getJsonNumber("expires_in").longValue());
    }
}
