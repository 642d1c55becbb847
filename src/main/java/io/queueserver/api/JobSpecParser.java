package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JsonFields;

import io.queueserver.core.Worker;
import io.queueserver.workers.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Turns a submitted JSON job into a {@link JobSpec}, or refuses it naming the first offending field. */
@ApplicationScoped
public class JobSpecParser {
    public static final int DEFAULT_PRIORITY = 500;
    static final int MAX_CONTEXT = 100;
    static final long MAX_DELAY_SECONDS = 366L * 86_400;

    private Workers workers;
    private int defaultMaxAttempts;

    protected JobSpecParser() {
    }

    @Inject
    public JobSpecParser(Workers workers,
                         @ConfigProperty(name = "queue.max.attempts", defaultValue = "1") int defaultMaxAttempts) {
        this.workers = workers;
        this.defaultMaxAttempts = defaultMaxAttempts;
    }

    public JobSpec parse(JsonValue body, String path) {
        if (!(body instanceof JsonObject job)) {
            throw new InvalidField(path.isEmpty() ? "body" : path, "must be a JSON object describing the job");
        }
        JsonFields f = new JsonFields(job, path);
        int priority = (int) f.number("priority", DEFAULT_PRIORITY, -1_000_000, 1_000_000);
        String context = f.plainString("context", "default", MAX_CONTEXT);
        if (context.isBlank()) {
            throw new InvalidField(f.field("context"), "must not be empty");
        }
        JsonFields command = f.nested("command");
        if (command == null) {
            throw new InvalidField(f.field("command"), "is required: an object with a type, e.g. {\"type\":\"http\",\"url\":\"...\"}");
        }
        String type = command(command);
        for (String callback : new String[] {"callback_done", "callback_failed"}) {
            JsonFields c = f.nested(callback);
            if (c != null) {
                command(c);
            }
        }
        LocalDateTime runAt = runAt(f);
        long delay = f.number("delay", 0, 0, MAX_DELAY_SECONDS);
        if (runAt != null && f.has("delay")) {
            throw new InvalidField(f.field("delay"), "cannot be combined with run_at");
        }
        int maxAttempts = (int) f.number("max_attempts", defaultMaxAttempts, 1, 100);
        String uniqueKey = f.plainString("unique_key", null, 200);
        if (uniqueKey != null && uniqueKey.isBlank()) {
            throw new InvalidField(f.field("unique_key"), "must not be empty");
        }
        return new JobSpec(priority, context, type, job, runAt, delay, maxAttempts, uniqueKey);
    }

    /** The {@code Idempotency-Key} header applies when the payload has no {@code unique_key}. */
    public JobSpec withIdempotencyKey(JobSpec spec, String header) {
        if (header == null || spec.uniqueKey() != null) {
            return spec;
        }
        if (header.isBlank() || header.length() > 200 || header.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidField("Idempotency-Key", "must be 1 to 200 printable characters");
        }
        return spec.withUniqueKey(header);
    }

    private String command(JsonFields command) {
        String type = command.plainString("type", null, 64);
        if (type == null || type.isBlank()) {
            throw new InvalidField(command.field("type"), "is required, one of " + workers.types());
        }
        Worker worker = workers.find(type).orElseThrow(() ->
                new InvalidField(command.field("type"), "unknown type '" + type + "', known: " + workers.types()));
        worker.validate(command);
        return type;
    }

    private static LocalDateTime runAt(JsonFields f) {
        String text = f.plainString("run_at", null, 64);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException e) {
            throw new InvalidField(f.field("run_at"), "must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
        }
    }
}
