package io.queueserver.core;

import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a job's unique key means: {@code {"key": "mailing-1234", "period": 3600, "period_from": "first_job",
 * "states": ["waiting", "scheduled", "working"], "on_conflict": "debounce", "delay": 30, "max_wait": 300}}. A submit is
 * a duplicate while the key's job is in one of {@code states} and, with a {@code period}, inside it; what a duplicate
 * does is {@code onConflict}. {@code unique_key} and the {@code Idempotency-Key} header are the original's shorthand:
 * bound in every state until the job is deleted, the existing job returned.
 */
public record Uniqueness(String key, long periodSeconds, boolean periodFromClock, Set<JobState> states,
                         OnConflict onConflict, long delaySeconds, long maxWaitSeconds) {
    public static final int MAX_KEY = 200;
    static final long MAX_SECONDS = 366L * 86_400;
    private static final Set<JobState> UNFINISHED = EnumSet.of(JobState.WAITING, JobState.SCHEDULED, JobState.WORKING);
    private static final List<String> FIELDS = List.of("key", "period", "period_from", "states", "on_conflict",
            "delay", "max_wait");

    /** What a submit does when its key is bound. */
    public enum OnConflict {
        /** 409 with the existing job; nothing stored */
        REJECT,
        /** the existing job's id, nothing stored */
        RETURN_EXISTING,
        /** the existing job, not started yet, takes the new payload and run time */
        REPLACE,
        /** the existing job, not started yet, runs {@code delay} after this submit, but no later than max_wait */
        DEBOUNCE;

        public String label() {
            return name().toLowerCase();
        }
    }

    /** The original's {@code unique_key}: bound until the job is deleted, the existing job returned. */
    public static Uniqueness bound(String key) {
        return new Uniqueness(key, 0, false, EnumSet.allOf(JobState.class), OnConflict.RETURN_EXISTING, 0, 0);
    }

    /** The job's {@code unique} object, or {@code unique_key}; null when it has neither. */
    public static Uniqueness of(JsonFields job) {
        String shorthand = job.plainString("unique_key", null, MAX_KEY);
        JsonFields u = job.nested("unique");
        if (shorthand != null && u != null) {
            throw new InvalidField(job.field("unique_key"), "cannot be combined with unique (its key is unique.key)");
        }
        if (shorthand != null) {
            return bound(checkKey(shorthand, job.field("unique_key")));
        }
        return u == null ? null : parse(u);
    }

    private static Uniqueness parse(JsonFields u) {
        for (String name : u.object().keySet()) {
            if (!FIELDS.contains(name)) {
                throw new InvalidField(u.field(name), "is not a field of unique (" + String.join(", ", FIELDS) + ")");
            }
        }
        String key = checkKey(u.plainString("key", null, MAX_KEY), u.field("key"));
        long period = u.number("period", 0, 1, MAX_SECONDS);
        String from = u.plainString("period_from", "first_job", 16);
        if (!from.equals("first_job") && !from.equals("clock")) {
            throw new InvalidField(u.field("period_from"), "must be first_job (the period starts with the key's job)"
                    + " or clock (fixed periods counted from 1970-01-01T00:00Z)");
        }
        if (u.has("period_from") && period == 0) {
            throw new InvalidField(u.field("period_from"), "applies to a period: give a period too");
        }
        Set<JobState> states = states(u);
        OnConflict mode = onConflict(u);
        long delay = u.number("delay", 0, 1, MAX_SECONDS);
        long maxWait = u.number("max_wait", 0, 1, MAX_SECONDS);
        if (mode == OnConflict.DEBOUNCE && delay == 0) {
            throw new InvalidField(u.field("delay"), "is required for debounce: the seconds to wait after the last"
                    + " submit");
        }
        if (mode != OnConflict.DEBOUNCE && (u.has("delay") || u.has("max_wait"))) {
            throw new InvalidField(u.field(u.has("delay") ? "delay" : "max_wait"), "applies to on_conflict debounce");
        }
        if (maxWait > 0 && maxWait < delay) {
            throw new InvalidField(u.field("max_wait"), "must not be less than delay");
        }
        return new Uniqueness(key, period, from.equals("clock"), states, mode, delay, maxWait);
    }

    private static String checkKey(String key, String field) {
        if (key == null) {
            throw new InvalidField(field, "is required");
        }
        if (key.isBlank()) {
            throw new InvalidField(field, "must not be empty");
        }
        return key;
    }

    private static Set<JobState> states(JsonFields u) {
        if (!u.has("states")) {
            return UNFINISHED;
        }
        if (!(u.object().get("states") instanceof JsonArray array) || array.isEmpty()) {
            throw new InvalidField(u.field("states"), "must be a non-empty list of states, e.g. [\"waiting\","
                    + " \"scheduled\", \"working\"]");
        }
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        for (JsonValue v : array) {
            String label = v instanceof JsonString s ? s.getString() : String.valueOf(v);
            states.add(JobState.ofLabel(label).orElseThrow(() -> new InvalidField(u.field("states"), "unknown state '"
                    + label + "', known: " + labels(EnumSet.allOf(JobState.class)))));
        }
        return states;
    }

    private static OnConflict onConflict(JsonFields u) {
        String text = u.plainString("on_conflict", "return_existing", 32);
        for (OnConflict mode : OnConflict.values()) {
            if (mode.label().equals(text)) {
                return mode;
            }
        }
        throw new InvalidField(u.field("on_conflict"), "must be one of reject, return_existing, replace, debounce");
    }

    private static String labels(Set<JobState> states) {
        return states.stream().map(JobState::label).collect(Collectors.joining(", "));
    }

    /** Whether a key bound at {@code boundAt} to a job now in {@code state} makes a submit at {@code now} a duplicate. */
    public boolean blocks(JobState state, LocalDateTime boundAt, LocalDateTime now) {
        return states.contains(state) && (periodSeconds == 0 || now.isBefore(periodEnd(boundAt)));
    }

    private LocalDateTime periodEnd(LocalDateTime boundAt) {
        if (!periodFromClock) {
            return boundAt.plusSeconds(periodSeconds);
        }
        long epoch = boundAt.toEpochSecond(ZoneOffset.UTC);
        return LocalDateTime.ofEpochSecond((Math.floorDiv(epoch, periodSeconds) + 1) * periodSeconds, 0,
                ZoneOffset.UTC);
    }

    /**
     * When a debounced job runs after a submit at {@code now}: {@code delay} later, but not after {@code max_wait}
     * from the key's first submit, and never earlier than it was due already.
     */
    public LocalDateTime debounced(LocalDateTime due, LocalDateTime boundAt, LocalDateTime now) {
        LocalDateTime next = now.plusSeconds(delaySeconds);
        if (maxWaitSeconds > 0) {
            LocalDateTime cap = boundAt.plusSeconds(maxWaitSeconds);
            next = next.isAfter(cap) ? cap : next;
        }
        return next.isAfter(due) ? next : due;
    }

    public Duration delay() {
        return Duration.ofSeconds(delaySeconds);
    }
}
