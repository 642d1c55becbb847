package io.queueserver.core;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A key's default retry policy, the {@code retry} of a key or pattern rule: {@code {"max_attempts": 5, "backoff":
 * {...}, "max_retry_duration": 3600, "retry_on": [404], "fail_on": [503]}}, every field optional, each checked as a
 * job's own. It is applied to a job of the key when the job is claimed, so a changed rule reaches the jobs that
 * already wait: each field the job does not set itself comes from the policy ({@code backoff} as a whole;
 * {@code retry_on} and {@code fail_on} into an http job's command, without the codes the job's other list names).
 */
public record KeyRetry(JsonObject policy) {
    static final List<String> FIELDS = List.of("max_attempts", "backoff", "max_retry_duration", "retry_on", "fail_on");
    private static final List<String> JOB_FIELDS = List.of("max_attempts", "backoff", "max_retry_duration");

    /** The policy of a request, refused naming the field below {@code path} (e.g. {@code retry.backoff.min}). */
    public static KeyRetry parse(JsonValue value, String path) {
        JsonFields f = JsonFields.known(value, path, "a retry policy", FIELDS);
        int maxAttempts = RetryPolicy.maxAttempts(f, 1);
        RetryPolicy.validate(f);
        StatusLists.parse(f);
        JsonObjectBuilder kept = Json.createObjectBuilder(f.withoutNulls());
        if (f.has("max_attempts")) { // numbers may come as strings; stored as numbers
            kept.add("max_attempts", maxAttempts);
        }
        if (f.has("max_retry_duration")) {
            kept.add("max_retry_duration", f.number("max_retry_duration", 0, 1, Long.MAX_VALUE));
        }
        return new KeyRetry(kept.build());
    }

    /** A policy as stored (it was checked when it was set). */
    public static KeyRetry stored(String text) {
        return text == null || text.isBlank() ? null : new KeyRetry(Json.parse(text));
    }

    /** The claim as if its job set, besides its own, what this policy sets. */
    public Claim applyTo(Claim claim) {
        JsonObject job = merged(claim.job());
        int maxAttempts = has(claim.job(), "max_attempts") || !has(policy, "max_attempts") ? claim.maxAttempts()
                : policy.getInt("max_attempts");
        return new Claim(claim.id(), claim.attempt(), maxAttempts, claim.retryBase(), claim.context(), job,
                claim.startedAt(), claim.snoozes(), claim.ageMillis(), claim.batchId(), claim.dependents());
    }

    /** What of the retry fields applies to this job (its own, else this policy's), for showing it. */
    public JsonObject effective(JsonObject job) {
        JsonObject merged = merged(job);
        JsonObjectBuilder b = Json.createObjectBuilder();
        for (String name : JOB_FIELDS) {
            if (has(merged, name)) {
                b.add(name, merged.get(name));
            }
        }
        if (merged.get("command") instanceof JsonObject command) {
            for (String name : List.of("retry_on", "fail_on")) {
                if (has(command, name)) {
                    b.add(name, command.get(name));
                }
            }
        }
        return b.build();
    }

    private JsonObject merged(JsonObject job) {
        JsonObjectBuilder b = Json.createObjectBuilder(job);
        for (String name : JOB_FIELDS) {
            if (!has(job, name) && has(policy, name)) {
                b.add(name, policy.get(name));
            }
        }
        if (job.get("command") instanceof JsonObject command && "http".equals(command.getString("type", null))) {
            StatusLists own = StatusLists.parse(new JsonFields(command, "command"));
            StatusLists key = StatusLists.parse(new JsonFields(policy, "retry"));
            JsonObjectBuilder c = Json.createObjectBuilder(command);
            if (!has(command, "retry_on") && has(policy, "retry_on")) {
                c.add("retry_on", Json.createArrayBuilder(without(key.retryOn(), own.failOn())));
            }
            if (!has(command, "fail_on") && has(policy, "fail_on")) {
                c.add("fail_on", Json.createArrayBuilder(without(key.failOn(), own.retryOn())));
            }
            b.add("command", c);
        }
        return b.build();
    }

    private static Set<Integer> without(Set<Integer> codes, Set<Integer> taken) {
        Set<Integer> left = new TreeSet<>(codes);
        left.removeAll(taken);
        return left;
    }

    private static boolean has(JsonObject o, String name) {
        return o.containsKey(name) && o.get(name) != JsonValue.NULL;
    }
}
