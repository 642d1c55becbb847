package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JsonFields;

import io.queueserver.core.Worker;
import io.queueserver.workers.Workers;
import io.queueserver.security.RequestGrant;
import io.queueserver.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Turns a submitted JSON job into a {@link JobSpec}, or refuses it naming the first offending field. Every job of
 * every route is at most {@code QUEUE_BODY_MAX_BYTES} (413), whatever the request's own limit (a batch's is larger);
 * it is stored with its command first and its secrets sealed ({@link SecretBox}).
 */
@ApplicationScoped
public class JobSpecParser {
    public static final int DEFAULT_PRIORITY = 500;
    static final int MAX_CONTEXT = 100;
    static final long MAX_DELAY_SECONDS = 366L * 86_400;

    private Workers workers;
    private int defaultMaxAttempts;
    private int jobLimit;
    private SecretBox secrets;
    private RequestGrant grant;

    protected JobSpecParser() {
    }

    /** For tests: no sealing, no token limits. */
    public JobSpecParser(Workers workers, int defaultMaxAttempts) {
        this(workers, defaultMaxAttempts, 262_144, SecretBox.of(null), null);
    }

    @Inject
    public JobSpecParser(Workers workers,
                         @ConfigProperty(name = "queue.max.attempts", defaultValue = "1") int defaultMaxAttempts,
                         @ConfigProperty(name = "queue.body.max.bytes", defaultValue = "262144") int jobLimit,
                         SecretBox secrets, RequestGrant grant) {
        this.workers = workers;
        this.defaultMaxAttempts = defaultMaxAttempts;
        this.jobLimit = jobLimit;
        this.secrets = secrets;
        this.grant = grant;
    }

    public JobSpec parse(JsonValue body, String path) {
        if (!(body instanceof JsonObject job)) {
            throw new InvalidField(path.isEmpty() ? "body" : path, "must be a JSON object describing the job");
        }
        if (job.toString().getBytes(StandardCharsets.UTF_8).length > jobLimit) {
            throw new InvalidField(413, path.isEmpty() ? "body" : path, "is a job larger than the limit of " + jobLimit
                    + " bytes (QUEUE_BODY_MAX_BYTES)");
        }
        JsonFields f = new JsonFields(job, path);
        int priority = (int) f.number("priority", DEFAULT_PRIORITY, -1_000_000, 1_000_000);
        String context = f.plainString("context", "default", MAX_CONTEXT);
        if (context.isBlank()) {
            throw new InvalidField(f.field("context"), "must not be empty");
        }
        if (grant != null && !grant.maySubmitTo(context)) {
            throw new InvalidField(403, f.field("context"), "this API token may not submit jobs of context '"
                    + context + "'");
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
        return new JobSpec(priority, context, type, secrets.seal(StoredPayload.commandFirst(job)), runAt, delay,
                maxAttempts, uniqueKey);
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
