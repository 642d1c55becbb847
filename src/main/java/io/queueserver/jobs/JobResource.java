package io.queueserver.jobs;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import io.queueserver.ops.Json;
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
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {
    static final int MAX_BATCH = 10_000;

    @Inject
    JobSpecParser parser;

    @Inject
    Submissions submissions;

    @EJB
    JobStore store;

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
            ids.forEach(id -> created.add(Json.createObjectBuilder().add("id", id)
                    .add("href", uri.getBaseUriBuilder().path("jobs").path(Long.toString(id)).build().toString())));
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
        return store.find(CompatResource.jobId(id)).map(job -> Response.ok(JobJson.rest(job)).build())
                .orElseGet(() -> Problems.of(404, "id", "job " + id + " not found"));
    }

    @DELETE
    @Path("{id: \\d+}")
    public Response delete(@PathParam("id") String id) {
        return store.delete(CompatResource.jobId(id)) ? Response.noContent().build()
                : Problems.of(404, "id", "job " + id + " not found");
    }

}
