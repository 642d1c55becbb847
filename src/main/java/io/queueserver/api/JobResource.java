package io.queueserver.api;

import io.queueserver.core.Claim;
import io.queueserver.core.InvalidField;
import io.queueserver.core.Job;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobProgressed;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Problems;
import io.queueserver.store.Stored;
import io.queueserver.store.JobStore;
import io.queueserver.store.Limits;

import io.queueserver.engine.Engine;
import io.queueserver.store.JobMoves;
import io.queueserver.core.Outcome;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.StreamingOutput;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.security.RequestGrant;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** The REST API beyond the original: one job as a resource, batch submit. Errors are problem+json. */
@Path("jobs")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    static final int MAX_BATCH = 10_000;

    @Inject
    JobSpecParser parser;

    @Inject
    Submissions submissions;

    @Inject
    JobStore store;

    @Inject
    RequestGrant grant;

    @Inject
    JobMoves control;

    @Inject
    JobDetail detail;

    @Inject
    WaitRoom waits;

    @Inject
    Engine engine;

    @Inject
    JobEvents events;

    @Inject
    @ConfigProperty(name = "queue.batch.body.max.bytes", defaultValue = "16777216")
    int batchBodyLimit;

    @Context
    UriInfo uri;

    /**
     * One job (an object) or a batch (an array, stored in one transaction: all or nothing). With {@code Prefer: wait=N}
     * (RFC 7240) a single job's answer waits up to N seconds for the job to end: 201 with its result, else 202.
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public void submit(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                       @HeaderParam("Idempotency-Key") String idempotencyKey,
                       @HeaderParam("traceparent") String traceparent, @HeaderParam("tracestate") String tracestate,
                       @HeaderParam("Prefer") String prefer, InputStream body, @Suspended AsyncResponse response) {
        Response answer = answer(contentType, idempotencyKey, traceparent, tracestate, prefer, body, response);
        if (answer != null) {
            response.resume(answer);
        }
    }

    /** The answer to a submit, or null when a waiter will give it. */
    private Response answer(String contentType, String idempotencyKey, String traceparent, String tracestate,
                            String prefer, InputStream body, AsyncResponse response) {
        JsonValue value = RequestBody.read(body, contentType, batchBodyLimit);
        TraceContext trace = TraceContext.of(traceparent, tracestate);
        if (value instanceof JsonArray batch) {
            if (batch.isEmpty() || batch.size() > MAX_BATCH) {
                throw new InvalidField("body", "must hold between 1 and " + MAX_BATCH + " jobs");
            }
            List<JobSpec> specs = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                GroupBody.refuseDependencies(batch.get(i), "[" + i + "]");
                specs.add(parser.parse(batch.get(i), "[" + i + "]", trace));
            }
            List<Stored> stored = submissions.submit(specs);
            JsonArrayBuilder created = Json.createArrayBuilder();
            String jobs = uri.getBaseUriBuilder().path("jobs").build().toString() + "/";
            stored.forEach(s -> created.add(deduplication(Json.createObjectBuilder().add("id", s.id())
                    .add("href", jobs + s.id()), s)));
            boolean any = stored.stream().anyMatch(s -> !s.deduplicated());
            return Response.status(any ? 201 : 200).entity(Json.createObjectBuilder().add("jobs", created).build())
                    .build();
        }
        JobSpec spec = parser.withIdempotencyKey(parser.parse(value, "", trace), idempotencyKey);
        Integer wait = PreferWait.seconds(prefer, waits.maxSeconds());
        Stored stored = value instanceof JsonObject job && job.containsKey("depends_on")
                ? dependent(spec, job) : submissions.submit(List.of(spec)).get(0);
        int status = stored.deduplicated() ? 200 : 201;
        URI location = uri.getBaseUriBuilder().path("jobs").path(Long.toString(stored.id())).build();
        if (wait != null) {
            String applied = "wait=" + wait;
            waits.awaitIfRoom(stored.id(), wait, response, new WaitRoom.Answers(
                    ended -> answer(status, location, deduplication(Json.createObjectBuilder(detail.of(ended)), stored))
                            .header("Preference-Applied", applied).build(),
                    pending -> answer(202, location, deduplication(Json.createObjectBuilder(JobJson.rest(pending)),
                            stored)).header("Preference-Applied", applied).build()),
                    now -> answer(status, location, deduplication(Json.createObjectBuilder(JobJson.rest(now)), stored))
                            .build());
            return null;
        }
        Job job = store.find(stored.id()).orElseThrow();
        return answer(status, location, deduplication(Json.createObjectBuilder(JobJson.rest(job)), stored)).build();
    }

    /** A job that runs when the existing jobs it names in {@code depends_on} have ended. */
    private Stored dependent(JobSpec spec, JsonObject job) {
        if (spec.unique() != null) {
            throw new InvalidField("depends_on", "cannot be combined with a unique key");
        }
        GroupBody one = new GroupBody(spec.context(), false, JsonValue.EMPTY_JSON_OBJECT, List.of(spec),
                java.util.Collections.singletonList(null), List.of(GroupBody.dependencies(job, "")));
        return new Stored(submissions.submitGroup(null, one).ids().get(0), null, 0);
    }

    private static Response.ResponseBuilder answer(int status, URI location, JsonObjectBuilder job) {
        Response.ResponseBuilder answer = Response.status(status).entity(job.build());
        return status == 200 ? answer : answer.location(location);
    }

    /**
     * Answers as soon as the job has ended, with the job and its output (200), or with the job as it is after
     * {@code timeout} seconds (202), whichever node runs it. Waiting costs no thread.
     */
    @GET
    @Path("{id: \\d+}/wait")
    public void await(@PathParam("id") String id, @QueryParam("timeout") @DefaultValue("30") String timeout,
                      @Suspended AsyncResponse response) {
        long jobId = CompatResource.jobId(id);
        if (!timeout.matches("\\d{1,6}")) {
            throw new InvalidField("timeout", "must be a number of seconds, at most " + waits.maxSeconds()
                    + " (QUEUE_WAIT_MAX_SECONDS)");
        }
        int seconds = WaitRoom.seconds(Long.parseLong(timeout), waits.maxSeconds(), "timeout");
        if (store.find(jobId).filter(job -> grant.maySee(job.context())).isEmpty()) {
            response.resume(Problems.of(404, "id", "job " + id + " not found"));
            return;
        }
        waits.await(jobId, seconds, response, new WaitRoom.Answers(job -> Response.ok(detail.of(job)).build(),
                job -> Response.status(202).entity(detail.of(job)).build()));
    }

    /** A submit whose unique key was bound says so, and what it did to the key's job. */
    private static JsonObjectBuilder deduplication(JsonObjectBuilder answer, Stored stored) {
        if (stored.deduplicated()) {
            answer.add("deduplicated", true).add("deduplication", stored.outcome()).add("absorbed", stored.absorbed());
        }
        return answer;
    }

    @GET
    @Path("{id: \\d+}")
    public Response get(@PathParam("id") String id) {
        return store.find(CompatResource.jobId(id)).filter(job -> grant.maySee(job.context()))
                .map(job -> Response.ok(detail.of(job)).build())
                .orElseGet(() -> Problems.of(404, "id", "job " + id + " not found"));
    }

    /** Waiting and scheduled jobs are cancelled; a running job's request or process is aborted on its node. */
    @POST
    @Path("{id: \\d+}/cancel")
    public Response cancel(@PathParam("id") String id) throws SQLException {
        long jobId = CompatResource.jobId(id);
        Optional<JobState> before = control.cancel(jobId);
        return changed(jobId, before, JobMoves.CANCELLABLE, "cancelled", job ->
                events.fire(new JobFinished(jobId, job.attempt(), job.context(), JobState.CANCELLED, null, "cancelled")));
    }

    /** A failed or cancelled job waits again with its max_attempts fresh attempts. */
    @POST
    @Path("{id: \\d+}/retry")
    public Response retry(@PathParam("id") String id) throws SQLException {
        long jobId = CompatResource.jobId(id);
        Optional<JobState> before = control.retry(jobId);
        return changed(jobId, before, JobMoves.RETRYABLE, "retried", job -> engine.wake());
    }

    /** Retries all failed jobs, of one context if given. */
    @POST
    @Path("retry")
    public JsonObject retryAll(@QueryParam("state") @DefaultValue("failed") String state,
                               @QueryParam("context") String context) throws SQLException {
        if (!state.equals("failed")) {
            throw new InvalidField("state", "only failed jobs can be retried in bulk");
        }
        int retried = control.retryFailed(context == null || context.isBlank() ? null : context);
        if (retried > 0) {
            engine.wake();
        }
        return Json.createObjectBuilder().add("retried", retried).build();
    }

    /** A running job reports progress: {"percent": 0-100, "message": "..."}. */
    @POST
    @Path("{id: \\d+}/progress")
    @Consumes(MediaType.WILDCARD)
    public Response progress(@PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                             InputStream body) throws SQLException {
        long jobId = CompatResource.jobId(id);
        JsonValue value = RequestBody.read(body, contentType, 16_384);
        if (!(value instanceof jakarta.json.JsonObject object)) {
            throw new InvalidField("body", "must be an object like {\"percent\": 50, \"message\": \"half way\"}");
        }
        JsonFields f = new JsonFields(object, "");
        if (!f.has("percent")) {
            throw new InvalidField("percent", "is required (0-100)");
        }
        int percent = (int) f.number("percent", 0, 0, 100);
        String message = f.plainString("message", null, 500);
        Optional<JobState> state = control.progress(jobId, percent, message);
        if (state.isEmpty()) {
            return Problems.of(404, "id", "job " + id + " not found");
        }
        if (state.get() != JobState.WORKING) {
            return Problems.of(409, "id", "job " + id + " is " + state.get().label() + ", not working");
        }
        events.fire(new JobProgressed(jobId, percent, message));
        return Response.ok(JobJson.rest(store.find(jobId).orElseThrow())).build();
    }

    /**
     * Runs the job now, here, and streams its output as it arrives (the original's {@code php work.php -j123});
     * the last line tells the outcome. The run is recorded like any other.
     */
    @POST
    @Path("{id: \\d+}/run")
    @Produces(MediaType.TEXT_PLAIN)
    public Response run(@PathParam("id") String id) throws Exception {
        long jobId = CompatResource.jobId(id);
        BlockingQueue<String> chunks = new LinkedBlockingQueue<>();
        Optional<CompletableFuture<Outcome>> run;
        try {
            run = engine.runNow(jobId, chunks::add);
        } catch (Engine.NoFreeSlot busy) {
            return Response.fromResponse(Problems.of(503, "id", busy.getMessage())).header("Retry-After", "1").build();
        }
        if (run.isEmpty()) {
            Optional<Job> job = store.find(jobId);
            return job.isEmpty() ? Problems.of(404, "id", "job " + id + " not found")
                    : Problems.of(409, "id", "job " + id + " is " + job.get().state().label() + " and cannot be run now");
        }
        StreamingOutput stream = out -> {
            CompletableFuture<Outcome> done = run.get();
            while (true) {
                String chunk;
                try {
                    chunk = chunks.poll(200, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (chunk != null) {
                    out.write(chunk.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } else if (done.isDone() && chunks.isEmpty()) {
                    break;
                }
            }
            Outcome outcome = done.join();
            out.write(("\n[job " + jobId + " " + (outcome.success() ? "done" : "failed") + ", return_code "
                    + outcome.returnCode() + (outcome.error() == null ? "" : ", " + outcome.error()) + "]\n")
                    .getBytes(StandardCharsets.UTF_8));
        };
        return Response.ok(stream).build();
    }

    private Response changed(long id, Optional<JobState> before, java.util.Set<JobState> allowed, String verb,
                             java.util.function.Consumer<Job> announce) {
        if (before.isEmpty()) {
            return Problems.of(404, "id", "job " + id + " not found");
        }
        if (!allowed.contains(before.get())) {
            return Problems.of(409, "id", "job " + id + " is " + before.get().label() + " and cannot be " + verb);
        }
        Job job = store.find(id).orElseThrow();
        announce.accept(job);
        return Response.ok(JobJson.rest(job)).build();
    }

    @DELETE
    @Path("{id: \\d+}")
    public Response delete(@PathParam("id") String id) throws SQLException {
        return store.delete(CompatResource.jobId(id)) ? Response.noContent().build()
                : Problems.of(404, "id", "job " + id + " not found");
    }

}
