package io.queueserver.schedules;

import io.queueserver.api.CommandSummary;
import io.queueserver.core.Json;
import io.queueserver.core.Times;
import io.queueserver.security.Redaction;
import io.queueserver.store.ScheduleTable;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

/** The JSON shapes of a schedule (times RFC 3339 UTC with microseconds, as everywhere in the REST API). */
final class ScheduleJson {
    static final int NEXT_TIMES = 10;

    private ScheduleJson() {
    }

    /** A schedule in the list: its definition without the job's payload, its next tick and its last run. */
    static JsonObjectBuilder summary(ScheduleTable.Row row, Schedule s) {
        JobTemplate job = s.job();
        // a run without a job of its own (skipped, missed) shows none: the last job belongs to an earlier run
        boolean ownJob = TickPlan.FIRED.equals(row.lastOutcome()) || TickPlan.CAUGHT_UP.equals(row.lastOutcome());
        JsonObjectBuilder last = Json.createObjectBuilder().add("fire_at", time(row.lastFireAt()))
                .add("outcome", text(row.lastOutcome())).add("job_id", ownJob ? id(row.lastJobId()) : JsonValue.NULL)
                .add("job_state", !ownJob || row.lastJobState() == null ? JsonValue.NULL
                        : Json.createValue(row.lastJobState().label()));
        return Json.createObjectBuilder()
                .add("name", row.name())
                .add("cron", row.cron())
                .add("timezone", row.timezone())
                .add("context", job.context())
                .add("command", CommandSummary.of(job.payload().toString(), job.type()))
                .add("overlap", s.overlap().label())
                .add("missed", s.missed().label())
                .add("missed_cap", s.missedCap())
                .add("start_at", time(row.startAt()))
                .add("end_at", time(row.endAt()))
                .add("paused", row.paused())
                .add("state", row.paused() ? "paused" : row.nextFireAt() == null ? "finished" : "active")
                .add("next_fire_at", time(row.nextFireAt()))
                .add("last_run", row.lastFireAt() == null ? JsonValue.NULL : last.build())
                .add("created_at", time(row.createdAt()))
                .add("updated_at", time(row.updatedAt()));
    }

    /** {@code GET /schedules/{name}}: also the job (secrets masked), the next ten ticks and the last runs. */
    static JsonObject full(ScheduleTable.Row row, Schedule s, List<ScheduleTable.Run> runs) {
        JsonArrayBuilder next = Json.createArrayBuilder();
        s.upcoming(Schedule.instant(row.nextFireAt()), NEXT_TIMES).forEach(t -> next.add(time(t)));
        return summary(row, s)
                .add("job", Redaction.redact(s.job().payload()))
                .add("next_fire_times", next)
                .add("runs", runs(runs))
                .build();
    }

    static JsonArrayBuilder runs(List<ScheduleTable.Run> runs) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        runs.forEach(r -> array.add(Json.createObjectBuilder()
                .add("fire_at", time(r.fireAt()))
                .add("manual", r.manual())
                .add("outcome", r.outcome())
                .add("job_id", id(r.jobId()))
                // a fired job that is gone was deleted or pruned (QUEUE_RETENTION)
                .add("job_state", r.jobState() != null ? Json.createValue(r.jobState().label())
                        : r.jobId() == null ? JsonValue.NULL : Json.createValue("deleted"))
                .add("detail", text(r.detail()))
                .add("fired_at", time(r.firedAt()))));
        return array;
    }

    static JsonValue time(LocalDateTime t) {
        return t == null ? JsonValue.NULL : Json.createValue(Times.rest(t));
    }

    static JsonValue time(Instant t) {
        return time(Schedule.utc(t));
    }

    private static JsonValue text(String s) {
        return s == null ? JsonValue.NULL : Json.createValue(s);
    }

    private static JsonValue id(Long id) {
        return id == null ? JsonValue.NULL : Json.createValue(id);
    }
}
