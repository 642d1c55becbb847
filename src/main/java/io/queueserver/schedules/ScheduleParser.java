package io.queueserver.schedules;

import io.queueserver.api.JobSpecParser;
import io.queueserver.core.InvalidField;
import io.queueserver.core.JsonFields;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code PUT /schedules/{name}} (or a declared schedule) into a {@link Schedule}, or refuses it
 * naming the first offending field ({@code cron}, {@code timezone}, {@code job.command.url}, {@code overlap} …).
 * The job is checked by the same parser as a submitted one, under the field {@code job}.
 */
@ApplicationScoped
public class ScheduleParser {
    static final int DEFAULT_MISSED_CAP = 100;
    static final int MAX_MISSED_CAP = 1000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Set<String> ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());
    private static final Set<String> FIELDS = Set.of("cron", "timezone", "job", "overlap", "missed", "missed_cap",
            "start_at", "end_at", "paused");
    /** What {@code GET /schedules/{name}} shows besides the definition: ignored, so an answer can be sent back. */
    private static final Set<String> SHOWN = Set.of("name", "state", "context", "command", "next_fire_at",
            "next_fire_times", "last_run", "runs", "created_at", "updated_at");

    private JobSpecParser jobs;

    protected ScheduleParser() {
    }

    @Inject
    public ScheduleParser(JobSpecParser jobs) {
        this.jobs = jobs;
    }

    /** A schedule's name: 1 to 100 letters, digits, '.', '_' and '-', starting with a letter or digit. */
    static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidField("name", "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter"
                    + " or digit");
        }
        return name;
    }

    Schedule parse(String name, JsonValue body) {
        name(name);
        if (!(body instanceof JsonObject object)) {
            throw new InvalidField("body", "must be a JSON object such as {\"cron\": \"*/5 * * * *\", \"job\": {…}}");
        }
        for (String field : object.keySet()) {
            if (!FIELDS.contains(field) && !SHOWN.contains(field)) {
                throw new InvalidField(field, "is not a field of a schedule; they are " + FIELDS.stream().sorted().toList());
            }
        }
        JsonFields f = new JsonFields(object, "");
        if (f.has("name") && !name.equals(f.string("name", name, 100))) {
            throw new InvalidField("name", "differs from the name in the path '" + name + "'");
        }
        String zoneName = f.plainString("timezone", "UTC", 64);
        if (!ZONES.contains(zoneName)) {
            throw new InvalidField("timezone", "unknown time zone '" + zoneName + "': use an IANA name such as"
                    + " Europe/Berlin, America/New_York or UTC");
        }
        String expression = f.plainString("cron", null, 200);
        if (expression == null || expression.isBlank()) {
            throw new InvalidField("cron", "is required, e.g. \"*/5 * * * *\", \"0 30 2 * * *\" or \"@daily\"");
        }
        Cron cron = Cron.parse(expression, ZoneId.of(zoneName), "cron");
        if (cron.next(Instant.now()).isEmpty()) {
            throw new InvalidField("cron", "never matches a date (such as the 31st of February)");
        }
        Overlap overlap = choice(f, "overlap", Overlap.class, Overlap.ALLOW);
        Missed missed = choice(f, "missed", Missed.class, Missed.RUN_ONCE);
        int missedCap = (int) f.number("missed_cap", DEFAULT_MISSED_CAP, 1, MAX_MISSED_CAP);
        Instant startAt = time(f, "start_at");
        Instant endAt = time(f, "end_at");
        if (startAt != null && endAt != null && !endAt.isAfter(startAt)) {
            throw new InvalidField("end_at", "must be after start_at");
        }
        boolean paused = f.bool("paused", false);
        return new Schedule(name, cron, template(f), overlap, missed, missedCap, startAt, endAt, paused);
    }

    private JobTemplate template(JsonFields f) {
        JsonObject job = f.object("job");
        if (job == null) {
            throw new InvalidField("job", "is required: the job each tick submits, e.g. {\"command\": {\"type\":"
                    + " \"http\", \"url\": \"https://app.example/report\"}}");
        }
        JsonFields template = new JsonFields(job, "job");
        if (template.has("run_at") || template.has("expires_at")) {
            String field = template.has("run_at") ? "run_at" : "expires_at";
            throw new InvalidField(template.field(field), "a schedule's job runs at its tick: give delay or"
                    + " expires_in (seconds after the tick) instead");
        }
        for (String field : new String[] {"unique_key", "unique"}) {
            if (template.has(field)) {
                throw new InvalidField(template.field(field), "a schedule fires one job per tick; overlap decides"
                        + " what happens while the previous one is unfinished");
            }
        }
        if (job.containsKey(JobTemplate.SCHEDULE_MEMBER)) {
            throw new InvalidField(template.field(JobTemplate.SCHEDULE_MEMBER), "is set by the server in each fired"
                    + " job (the schedule's name and the tick)");
        }
        return JobTemplate.of(jobs.parse(job, "job"));
    }

    private static <E extends Enum<E>> E choice(JsonFields f, String field, Class<E> type, E fallback) {
        String text = f.plainString(field, null, 32);
        if (text == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidField(field, "must be one of " + Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).toList() + ", not '" + text + "'");
        }
    }

    private static Instant time(JsonFields f, String field) {
        String text = f.plainString(field, null, 64);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidField(field, "must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
        }
    }
}
