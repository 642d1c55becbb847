package io.queueserver.api;

import io.queueserver.core.Json;
import io.queueserver.core.Problems;
import io.queueserver.store.BatchStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;

/** A graph of jobs submitted in one request: each runs when the jobs it depends on have ended (README "Workflows"). */
@Path("workflows")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class WorkflowResource {
    @Inject
    GroupRequests requests;

    @Inject
    Submissions submissions;

    /** Answers 201 with the workflow's id and its jobs' ids by name. */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           @HeaderParam("traceparent") String traceparent, @HeaderParam("tracestate") String tracestate,
                           InputStream body) {
        GroupBody group = requests.parse(body, contentType, TraceContext.of(traceparent, tracestate), true);
        BatchStore.Created created = submissions.submitGroup("workflow", group);
        JsonObjectBuilder ids = Json.createObjectBuilder();
        for (int i = 0; i < created.ids().size(); i++) {
            ids.add(group.names().get(i), created.ids().get(i));
        }
        return Response.created(URI.create("/workflows/" + created.batchId())).entity(Json.createObjectBuilder()
                .add("id", created.batchId()).add("jobs", ids).build()).build();
    }

    /** The workflow as a batch, with its graph: nodes (jobs with name and state) and edges (dependencies). */
    @GET
    @Path("{id: \\d+}")
    public Response get(@PathParam("id") String id) throws SQLException {
        return visible(id).map(w -> Response.ok(w).build()).orElseGet(() -> notFound(id));
    }

    /** Cancels the workflow's jobs that have not started; those running finish. */
    @POST
    @Path("{id: \\d+}/cancel")
    public Response cancel(@PathParam("id") String id) throws SQLException {
        if (visible(id).isEmpty()) {
            return notFound(id);
        }
        int cancelled = requests.cancel(Long.parseLong(id));
        return Response.ok(Json.createObjectBuilder().add("cancelled", cancelled).build()).build();
    }

    private Optional<JsonObject> visible(String id) throws SQLException {
        return requests.visible(id, "workflow");
    }

    private static Response notFound(String id) {
        return Problems.of(404, "id", "workflow " + id + " not found");
    }
}
