package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Job;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobProgressed;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Problems;
import io.queueserver.store.JobStore;

import io.queueserver.engine.Engine;
import io.queueserver.store.JobMoves;
import io.queueserver.core.Outcome;
import jakarta.json.JsonObject;
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
    Engine engine;

    @Inject
    JobEvents events;

    @Inject
    @ConfigProperty(name = "queue.batch.body.max.bytes", defaultValue = "16777216")
    int batchBodyLimit;

    @Context
    UriInfo uri;

    /** One job (an object) or a batch (an array, stored in one transaction: all or nothing). */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response submit(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam("Idempotency-Key") String idempotencyKey, InputStream body) {
        JsonValue value = RequestBody.read(body, contentType, batchBodyLimit);
        if (value instanceof JsonArray batch) {
            if (batch.isEmpty() || batch.size() > MAX_BATCH) {
                throw new InvalidField("body", "must hold between 1 and " + MAX_BATCH + " jobs");
            }
            List<JobSpec> specs = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                specs.add(parser.parse(batch.get(i), "[" + i + "]"));
            }
            List<Long> ids = submissions.submit(specs);
            JsonArrayBuilder created = Json.createArrayBuilder();
            String jobs = uri.getBaseUriBuilder().path("jobs").build().toString() + "/";
            ids.forEach(id -> created.add(Json.createObjectBuilder().add("id", id).add("href", jobs + id)));
            return Response.status(201).entity(Json.createObjectBuilder().add("jobs", created).build()).build();
        }
        JobSpec spec = parser.withIdempotencyKey(parser.parse(value, ""), idempotencyKey);
        long id = submissions.submit(List.of(spec)).get(0);
        Job job = store.find(id).orElseThrow();
        return Response.created(uri.getBaseUriBuilder().path("jobs").path(Long.toString(id)).build())
                .entity(JobJson.rest(job)).build();
    }

    @GET
    @Path("{id: \\d+}")
    public Response get(@PathParam("id") String id) {
        return store.find(CompatResource.jobId(id)).filter(job -> grant.maySee(job.context()))
                .map(job -> Response.ok(JobJson.rest(job, store.attempts(job), store.callbacks(job.id()))).build())
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
