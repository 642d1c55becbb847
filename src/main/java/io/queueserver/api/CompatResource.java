package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobState;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JsonFields;
import io.queueserver.store.Stored;
import io.queueserver.store.JobFilter;
import io.queueserver.store.JobSearch;
import io.queueserver.store.JobStore;

import io.queueserver.engine.Engine;
import io.queueserver.security.CrossSiteGuard;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.security.RequestGrant;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * The PHP original's API, same paths and JSON shapes, so its clients work unchanged. Application scoped: its
 * configuration is read once (Payara's config lookups may consult the cluster's data grid).
 */
@Path("jobs")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class CompatResource {
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;

    @Inject
    JobSpecParser parser;

    @Inject
    Submissions submissions;

    @Inject
    JobStore store;

    @Inject
    JobSearch search;

    @Inject
    Engine engine;

    @Inject
    RequestGrant grant;

    @Inject
    @ConfigProperty(name = "queue.body.max.bytes", defaultValue = "262144")
    int bodyLimit;

    /**
     * The original's submit: the same body (JSON or form), the same answer {@code {"status":"OK","job_id":"123"}},
     * sent once the job is committed. Refusals are problem+json like everywhere else.
     */
    @POST
    @Path("add")
    @Consumes(MediaType.WILDCARD)
    public JsonObject add(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                          @HeaderParam("Idempotency-Key") String idempotencyKey,
                          @HeaderParam("traceparent") String traceparent, @HeaderParam("tracestate") String tracestate,
                          InputStream body) {
        JsonValue job = RequestBody.read(body, contentType, bodyLimit);
        GroupBody.refuseDependencies(job, "");
        JobSpec spec = parser.withIdempotencyKey(parser.parse(job, "", TraceContext.of(traceparent, tracestate)),
                idempotencyKey);
        Stored stored = submissions.submit(List.of(spec)).get(0);
        JsonObjectBuilder answer = Json.createObjectBuilder().add("status", "OK").add("job_id", Long.toString(stored.id()));
        return (stored.deduplicated() ? answer.add("deduplicated", true) : answer).build();
    }

    @GET
    @Path("status")
    public JsonObject status() {
        return ok(JobJson.statusCounters(store.counts(), engine.maxSlots(), engine.freeSlots()).build());
    }

    @GET
    @Path("status/{id}")
    public Response status(@PathParam("id") String id) {
        return store.find(jobId(id)).filter(job -> grant.maySee(job.context()))
                .map(job -> Response.ok(ok(JobJson.compatStatus(job))).build())
                .orElseGet(CompatResource::notFound);
    }

    @GET
    @Path("get/{id}")
    public Response get(@PathParam("id") String idOrWord) {
        return get(idOrWord, DEFAULT_LIST_LIMIT);
    }

    @POST
    @Path("get")
    @Consumes(MediaType.WILDCARD)
    public Response get(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @Context UriInfo uri,
                        InputStream body) {
        JsonFields f = fields(contentType, body, uri);
        boolean numeric = f.has("id") && f.object().get("id").getValueType() == JsonValue.ValueType.NUMBER;
        String id = numeric ? Long.toString(f.number("id", 0, 1, Long.MAX_VALUE)) : f.plainString("id", "all", 32);
        return get(id, (int) f.number("limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT));
    }

    @POST
    @Path("get/summary")
    @Consumes(MediaType.WILDCARD)
    public JsonObject summary(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, @Context UriInfo uri,
                              InputStream body) {
        JsonFields f = fields(contentType, body, uri);
        int count = (int) f.number("count", 10, 1, MAX_LIST_LIMIT);
        return ok(Json.createObjectBuilder()
                .add("jobs", list("all", JobState.ofWord("all").orElseThrow(), count))
                .add("counts", JobJson.counts(store.counts()))
                .build());
    }

    /** Kept for old clients; a browser cannot be made to call it from another site. */
    @GET
    @Path("delete/{id}")
    public JsonObject delete(@PathParam("id") String id, @HeaderParam("Sec-Fetch-Site") String fetchSite,
                             @HeaderParam("Origin") String origin, @HeaderParam("Host") String host) throws SQLException {
        CrossSiteGuard.refuse(fetchSite, origin, host);
        long jobId = jobId(id);
        boolean deleted = store.delete(jobId);
        return Json.createObjectBuilder().add("status", deleted ? "OK" : "ERROR").add("job_id", jobId).build();
    }

    private Response get(String idOrWord, int limit) {
        if (idOrWord.matches("\\d{1,18}")) {
            return store.find(Long.parseLong(idOrWord)).filter(job -> grant.maySee(job.context()))
                    .map(job -> Response.ok(ok(JobJson.compatFull(job))).build())
                    .orElseGet(CompatResource::notFound);
        }
        Set<JobState> states = JobState.ofWord(idOrWord).orElseThrow(() -> new InvalidField("id",
                "must be a job id or one of all, waiting, working, done, failed, cancelled, scheduled, expired"));
        return Response.ok(ok(list(idOrWord, states, limit))).build();
    }

    private JsonValue list(String word, Set<JobState> states, int limit) {
        JsonArrayBuilder jobs = Json.createArrayBuilder();
        search.page(JobFilter.newest(word, states, limit).within(grant.contexts())).jobs()
                .forEach(job -> jobs.add(JobJson.compatRow(job)));
        return jobs.build();
    }

    /** The fields of the body, with those of the query string that the body does not give (as the original read them). */
    private JsonFields fields(String contentType, InputStream body, UriInfo uri) {
        JsonValue value = RequestBody.read(body, contentType, bodyLimit, false);
        if (!(value instanceof JsonObject object)) {
            throw new InvalidField("body", "must be a JSON object");
        }
        JsonObjectBuilder merged = Json.createObjectBuilder(object);
        uri.getQueryParameters().forEach((name, values) -> {
            if (!object.containsKey(name) && !values.isEmpty()) {
                merged.add(name, values.get(0));
            }
        });
        return new JsonFields(merged.build(), "");
    }

    static long jobId(String id) {
        if (!id.matches("\\d{1,18}")) {
            throw new InvalidField("id", "must be a positive integer job id");
        }
        return Long.parseLong(id);
    }

    static JsonObject ok(JsonValue data) {
        return Json.createObjectBuilder().add("status", 200).add("data", data).build();
    }

    static Response notFound() {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("status", 404).add("data", "Job not found").build()).build();
    }
}
