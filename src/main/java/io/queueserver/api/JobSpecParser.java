package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Uniqueness;
import io.queueserver.core.JobSpec;
import io.queueserver.core.LimitRule;
import io.queueserver.core.RetryPolicy;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Times;

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
import java.time.ZoneOffset;

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
        return parse(body, path, null);
    }

    /** As {@link #parse(JsonValue, String)}, with the submit's trace context added to the job's http requests. */
    JobSpec parse(JsonValue body, String path, TraceContext trace) {
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
        LocalDateTime runAt = Times.utc(f, "run_at");
        long delay = f.number("delay", 0, 0, MAX_DELAY_SECONDS);
        if (runAt != null && f.has("delay")) {
            throw new InvalidField(f.field("delay"), "cannot be combined with run_at");
        }
        int maxAttempts = RetryPolicy.maxAttempts(f, defaultMaxAttempts);
        RetryPolicy.validate(f);
        Uniqueness unique = Uniqueness.of(f);
        if (unique != null && unique.onConflict() == Uniqueness.OnConflict.DEBOUNCE && runAt == null) {
            delay = Math.max(delay, unique.delaySeconds()); // a debounced job first waits its delay too
        }
        String concurrencyKey = f.plainString("concurrency_key", context, LimitRule.MAX_KEY);
        if (concurrencyKey.isBlank()) {
            throw new InvalidField(f.field("concurrency_key"), "must not be empty");
        }
        if (LimitRule.reserved(concurrencyKey)) {
            throw new InvalidField(f.field("concurrency_key"), "must not end in '*' or start with 'host:' or"
                    + " 'context:': those name limit patterns");
        }
        LocalDateTime expiresAt = Times.utc(f, "expires_at");
        long expiresIn = f.number("expires_in", 0, 1, MAX_DELAY_SECONDS);
        checkExpiry(f, expiresAt, expiresIn, runAt, delay);
        return new JobSpec(priority, context, type, secrets.seal(StoredPayload.commandFirst(trace == null ? job
                : trace.into(job)), path), runAt, delay, maxAttempts, unique, concurrencyKey, expiresAt, expiresIn);
    }

    /**
     * The {@code Idempotency-Key} header applies when the payload has no unique key, as {@code unique_key} does:
     * bound until the job is deleted, so a resubmit after an unknown outcome finds the job whatever its state.
     */
    public JobSpec withIdempotencyKey(JobSpec spec, String header) {
        if (header == null || spec.uniqueKey() != null) {
            return spec;
        }
        if (header.isBlank() || header.length() > 200 || header.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new InvalidField("Idempotency-Key", "must be 1 to 200 printable characters");
        }
        return spec.withUnique(Uniqueness.bound(header));
    }

    /** Checks a callback command ({@code callback_done}, a batch's {@code on_complete} ...). */
    void callback(JsonFields command) {
        command(command);
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

    /** {@code expires_at} or {@code expires_in}; it must leave the job a moment to start after its run_at or delay. */
    private static void checkExpiry(JsonFields f, LocalDateTime expiresAt, long expiresIn, LocalDateTime runAt,
                                    long delay) {
        if (expiresAt != null && f.has("expires_in")) {
            throw new InvalidField(f.field("expires_in"), "cannot be combined with expires_at");
        }
        LocalDateTime due = runAt != null ? runAt : LocalDateTime.now(ZoneOffset.UTC).plusSeconds(delay);
        if (expiresAt != null && !expiresAt.isAfter(due)) {
            throw new InvalidField(f.field("expires_at"), "must be after the job is due (now, run_at or delay)");
        }
        if (expiresIn > 0 && delay >= expiresIn) {
            throw new InvalidField(f.field("expires_in"), "must be longer than delay");
        }
    }
}
