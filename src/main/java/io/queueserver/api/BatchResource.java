package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobSpec;
import io.queueserver.core.Json;
import io.queueserver.core.Problems;
import io.queueserver.security.RequestGrant;
import io.queueserver.store.BatchStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.net.URI;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Batches of jobs with callbacks when they succeed, complete or first fail (README "Batches"). */
@Path("batches")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class BatchResource {
    @Inject
    GroupRequests requests;

    @Inject
    Submissions submissions;

    @Inject
    BatchStore store;

    @Inject
    RequestGrant grant;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam("traceparent") String traceparent, @HeaderParam("tracestate") String tracestate,
                           InputStream body) {
        BatchStore.Created created = submissions.submitGroup("batch", requests.parse(body, contentType,
                TraceContext.of(traceparent, tracestate), false));
        return Response.created(URI.create("/batches/" + created.batchId())).entity(Json.createObjectBuilder()
                .add("id", created.batchId()).add("jobs", Json.createArrayBuilder(created.ids())).build()).build();
    }

    /** Newest first, the summaries of {@code GET /batches/{id}} without callbacks and graph. */
    @GET
    public JsonObject list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor)
            throws SQLException {
        BatchStore.Page page = store.list(limit, cursor, grant.contexts());
        return Json.createObjectBuilder().add("batches", Json.createArrayBuilder(page.batches()))
                .add("next_cursor", page.nextCursor() == null ? JsonValue.NULL : Json.createValue(page.nextCursor()))
                .build();
    }

    @GET
    @Path("{id: \\d+}")
    public Response get(@PathParam("id") String id) throws SQLException {
        return visible(id).map(b -> Response.ok(b).build()).orElseGet(() -> notFound(id));
    }

    /** Adds jobs ({@code {"jobs": [...]}} or a list) to an open batch. */
    @POST
    @Path("{id: \\d+}/jobs")
    @Consumes(MediaType.WILDCARD)
    public Response add(@PathParam("id") String id, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                        @HeaderParam("traceparent") String traceparent, @HeaderParam("tracestate") String tracestate,
                        InputStream body) throws SQLException {
        if (visible(id).isEmpty()) {
            return notFound(id);
        }
        JsonValue value = requests.read(body, contentType);
        JsonValue list = value instanceof JsonObject o && o.keySet().equals(java.util.Set.of("jobs")) ? o.get("jobs")
                : value;
        if (!(list instanceof JsonArray jobs) || jobs.isEmpty() || jobs.size() > GroupBody.MAX_JOBS) {
            throw new InvalidField("jobs", "must be a list of 1 to " + GroupBody.MAX_JOBS + " jobs");
        }
        TraceContext trace = TraceContext.of(traceparent, tracestate);
        List<JobSpec> specs = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            JobSpec spec = requests.parser().parse(jobs.get(i), "jobs[" + i + "]", trace);
            if (spec.unique() != null || jobs.getJsonObject(i).containsKey("depends_on")) {
                throw new InvalidField("jobs[" + i + "]", "a batch's jobs take no unique key and no depends_on");
            }
            specs.add(spec);
        }
        List<Long> ids = submissions.addToBatch(Long.parseLong(id), specs);
        return Response.status(201).entity(Json.createObjectBuilder().add("id", Long.parseLong(id))
                .add("jobs", Json.createArrayBuilder(ids)).build()).build();
    }

    /** Closes an open batch: it completes when its jobs have all ended (at once if they have). */
    @POST
    @Path("{id: \\d+}/close")
    public Response close(@PathParam("id") String id) throws SQLException {
        if (visible(id).isEmpty() || !requests.close(Long.parseLong(id))) {
            return notFound(id);
        }
        return Response.ok(visible(id).orElseThrow()).build();
    }

    private Optional<JsonObject> visible(String id) throws SQLException {
        return requests.visible(id, null);
    }

    private static Response notFound(String id) {
        return Problems.of(404, "id", "batch " + id + " not found");
    }
}
