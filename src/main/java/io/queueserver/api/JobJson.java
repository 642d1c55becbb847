package io.queueserver.api;

import io.queueserver.core.Times;

import io.queueserver.core.Job;
import io.queueserver.core.JobState;

import io.queueserver.core.Json;
import io.queueserver.security.Redaction;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The JSON shapes of a job: the PHP original's ({@code worker_status}, times as {@code YYYY-MM-DD HH:MM:SS})
 * and the REST API's (state names, RFC 3339 times with microseconds). Both include the same facts.
 */
public final class JobJson {
    private static final DateTimeFormatter COMPAT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter REST_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private JobJson() {
    }

    /** {@code /jobs/status/{id}}: the job without payload and output. */
    public static JsonObject compatStatus(Job job) {
        return compatSummary(job).build();
    }

    /** {@code /jobs/get/{id}}: the whole job. */
    public static JsonObject compatFull(Job job) {
        return compatSummary(job)
                .add("job", payload(job))
                .add("output", nullable(job.output()))
                .add("output_headers", json(job.outputHeaders()))
                .add("error", nullable(job.error()))
                .build();
    }

    /**
     * A row of the original's lists ({@code /jobs/get/{word}}): the job as the original returned it, with its
     * payload ({@code job}, secrets masked; a large one is summarised, see {@link #listedPayload}), its worker, command
     * and params, and its output capped at {@value #LIST_OUTPUT_CHARS} characters (the row carries only that prefix).
     */
    public static JsonObject compatRow(Job job) {
        JsonValue payload = listedPayload(job);
        JsonValue command = payload instanceof JsonObject p && p.get("command") instanceof JsonObject c ? c : JsonValue.NULL;
        String output = job.output();
        return compatSummary(job)
                .add("job", payload)
                .add("worker", job.type())
                .add("command", command)
                .add("params", command instanceof JsonObject c && c.containsKey("params") ? c.get("params") : JsonValue.NULL)
                .add("output", nullable(output == null || output.length() <= LIST_OUTPUT_CHARS ? output
                        : output.substring(0, LIST_OUTPUT_CHARS)))
                .add("error", nullable(job.error()))
                .build();
    }

    static final int LIST_OUTPUT_CHARS = 4096;

    private static JsonObjectBuilder compatSummary(Job job) {
        return Json.createObjectBuilder()
                .add("id", job.id())
                .add("worker_status", job.state().workerStatus())
                .add("state", job.state().label())
                .add("priority", job.priority())
                .add("context", job.context())
                .add("type", job.type())
                .add("time_added", time(job.timeAdded(), COMPAT_TIME))
                .add("time_started", time(job.timeStarted(), COMPAT_TIME))
                .add("time_completed", time(job.timeCompleted(), COMPAT_TIME))
                .add("run_at", time(job.runAt(), COMPAT_TIME))
                .add("return_code", nullable(job.returnCode()))
                .add("attempts", job.attempt())
                .add("max_attempts", job.maxAttempts())
                .add("progress", progress(job));
    }

    /** {@code GET /jobs/{id}}: the job with its attempt history and callback deliveries. */
    public static JsonObject rest(Job job, JsonArray attempts, JsonArray callbacks) {
        return Json.createObjectBuilder(rest(job)).add("attempts", attempts).add("callbacks", callbacks).build();
    }

    public static JsonObject rest(Job job) {
        JsonObjectBuilder rest = summary(job);
        if (job.state() == JobState.SCHEDULED) {
            rest.add("next_run", Json.createObjectBuilder().add("at", time(job.runAt(), REST_TIME))
                    .add("why", nextRunWhy(job)));
        }
        return rest
                .add("snoozes", job.snoozes())
                .add("output", nullable(job.output()))
                .add("output_headers", json(job.outputHeaders()))
                .add("job", payload(job))
                .build();
    }

    /** Why a scheduled job runs when it does: its submit, a retry after the attempt's error, or a snooze. */
    private static String nextRunWhy(Job job) {
        if (job.error() == null) {
            return "run_at or delay of the submit";
        }
        return job.error().startsWith("snoozed") || job.error().startsWith("paused") || job.attempt() == 0 ? job.error()
                : "retry after attempt " + job.attempt() + ": " + job.error();
    }

    /** The REST shape without output, response headers and payload: what a list shows of a {@link Job#summary}. */
    public static JsonObjectBuilder summary(Job job) {
        return Json.createObjectBuilder()
                .add("id", job.id())
                .add("state", job.state().label())
                .add("worker_status", job.state().workerStatus())
                .add("priority", job.priority())
                .add("context", job.context())
                .add("concurrency_key", nullable(job.concurrencyKey()))
                .add("type", job.type())
                .add("unique_key", nullable(job.uniqueKey()))
                .add("batch_id", job.batchId() == null ? JsonValue.NULL : Json.createValue(job.batchId()))
                .add("created_at", time(job.timeAdded(), REST_TIME))
                .add("run_at", time(job.runAt(), REST_TIME))
                .add("started_at", time(job.timeStarted(), REST_TIME))
                .add("finished_at", time(job.timeCompleted(), REST_TIME))
                .add("attempt", job.attempt())
                .add("max_attempts", job.maxAttempts())
                .add("rescues", job.rescues())
                .add("owner", nullable(job.owner()))
                .add("lease_until", time(job.leaseUntil(), REST_TIME))
                .add("return_code", nullable(job.returnCode()))
                .add("error", nullable(job.error()))
                .add("progress", progress(job));
    }

    /** The counters of {@code GET /jobs/status} (also sent to the dashboard). */
    public static JsonObjectBuilder statusCounters(Map<JobState, Long> counts, int maxThreads, int freeThreads) {
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        return Json.createObjectBuilder()
                .add("all_jobs", all)
                .add("waiting", counts.get(JobState.WAITING) + counts.get(JobState.SCHEDULED)
                        + counts.get(JobState.BLOCKED))
                .add("working", counts.get(JobState.WORKING))
                .add("done", counts.get(JobState.DONE))
                .add("failed", counts.get(JobState.FAILED))
                .add("cancelled", counts.get(JobState.CANCELLED))
                .add("expired", counts.get(JobState.EXPIRED))
                .add("scheduled", counts.get(JobState.SCHEDULED))
                .add("blocked", counts.get(JobState.BLOCKED))
                .add("max_threads", maxThreads)
                .add("free_threads", freeThreads);
    }

    public static JsonObject counts(Map<JobState, Long> counts) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        counts.forEach((state, n) -> b.add(state.label(), n));
        return b.build();
    }

    private static JsonValue progress(Job job) {
        if (job.progress() == null) {
            return JsonValue.NULL;
        }
        return Json.createObjectBuilder()
                .add("percent", job.progress())
                .add("message", nullable(job.progressMessage()))
                .build();
    }

    /**
     * The payload of a {@link Job#summary} row for the original's lists: whole (masked) when it fit in the prefix,
     * else what its command runs, marked {@code "truncated": true}.
     */
    static JsonValue listedPayload(Job job) {
        if (job.payload() != null && job.payload().length() < Job.PAYLOAD_HEAD) {
            return payload(job);
        }
        return Json.createObjectBuilder().add("command", CommandSummary.of(job.payload(), job.type()))
                .add("truncated", true).build();
    }

    /** The payload as submitted, with credentials masked ({@link Redaction}); the stored row keeps them. */
    private static JsonValue payload(Job job) {
        return Redaction.redact(json(job.payload()));
    }

    private static JsonValue json(String text) {
        if (text == null) {
            return JsonValue.NULL;
        }
        try (var reader = Json.createReader(new StringReader(text))) {
            return reader.readValue();
        }
    }

    static String restTime(LocalDateTime time) {
        return Times.rest(time);
    }

    private static JsonValue time(LocalDateTime time, DateTimeFormatter format) {
        return time == null ? JsonValue.NULL : Json.createValue(format.format(time));
    }

    private static JsonValue nullable(String text) {
        return text == null ? JsonValue.NULL : Json.createValue(text);
    }

    private static JsonValue nullable(Integer number) {
        return number == null ? JsonValue.NULL : Json.createValue(number);
    }
}
