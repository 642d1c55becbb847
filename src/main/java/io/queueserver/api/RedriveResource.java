package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.core.JobOverride;
import io.queueserver.core.JsonFields;
import io.queueserver.core.Problems;
import io.queueserver.core.RedriveRequest;
import io.queueserver.core.Times;
import io.queueserver.security.Audit;
import io.queueserver.security.Redaction;
import io.queueserver.security.RequestGrant;
import io.queueserver.security.SecretBox;
import io.queueserver.store.Redrives;
import io.queueserver.workers.HttpCommand;
import io.queueserver.workers.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.servlet.http.HttpServletRequest;
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

import java.io.InputStream;
import java.sql.SQLException;
import java.time.LocalDateTime;

/**
 * Dead letters sent back: {@code POST /redrives} retries every failed job matching a filter at a bounded rate,
 * optionally with another url, headers or payload; {@code GET /redrives}, {@code GET /redrives/{id}} (its progress)
 * and {@code DELETE /redrives/{id}} (stops it). Like limits, redrives span every context.
 */
@Path("redrives")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class RedriveResource {
    static final int MAX_BODY = 262_144;
    static final int LISTED = 100;
    /** Stands in for the url of an override that keeps each job's own, so its other values can be checked. */
    private static final String PROBE_URL = "http://redrive.invalid/";

    @Inject
    Redrives redrives;

    @Inject
    RequestGrant grant;

    @Inject
    Workers workers;

    @Inject
    SecretBox secrets;

    @Context
    UriInfo uri;

    @Context
    HttpServletRequest request;

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body)
            throws SQLException {
        allContexts();
        RedriveRequest redrive = RedriveRequest.parse(RequestBody.read(body, contentType, MAX_BODY));
        JsonObject override = redrive.override() == null ? null : checked(redrive.override());
        String by = grant.get().scope().label() + " client at " + request.getRemoteAddr();
        Redrives.Redrive created = redrives.create(redrive, override, by);
        Audit.redriveStarted(created.id(), by, created.matched(), created.filter().toString(), created.rate(),
                redrive.override() == null ? null : redrive.override().summary());
        return Response.created(uri.getBaseUriBuilder().path("redrives").path(Long.toString(created.id())).build())
                .entity(json(created)).build();
    }

    /**
     * The override's values are checked by the http command's own rules (and its url by the target guard), each
     * refusal naming {@code override.<field>}; its secrets are sealed as a job's are.
     */
    private JsonObject checked(JobOverride override) {
        JsonFields command = new JsonFields(override.asCommand(PROBE_URL), "override");
        if (override.hasUrl()) {
            workers.find("http").orElseThrow().validate(command);
        } else {
            HttpCommand.parse(command, 1);
        }
        return secrets.seal(override.fields(), "override");
    }

    @GET
    public JsonObject list() throws SQLException {
        allContexts();
        JsonArrayBuilder all = Json.createArrayBuilder();
        for (Redrives.Redrive r : redrives.list(LISTED)) {
            all.add(json(r));
        }
        return Json.createObjectBuilder().add("redrives", all).build();
    }

    @GET
    @Path("{id: \\d+}")
    public Response get(@PathParam("id") String id) throws SQLException {
        allContexts();
        return redrives.find(id(id)).map(r -> Response.ok(json(r)).build())
                .orElseGet(() -> Problems.of(404, "id", "redrive " + id + " not found"));
    }

    @DELETE
    @Path("{id: \\d+}")
    public Response cancel(@PathParam("id") String id) throws SQLException {
        allContexts();
        long redrive = id(id);
        var before = redrives.cancel(redrive);
        if (before.isEmpty()) {
            return Problems.of(404, "id", "redrive " + id + " not found");
        }
        if (!before.get().equals(Redrives.RUNNING)) {
            return Problems.of(409, "id", "redrive " + id + " is " + before.get() + " and cannot be cancelled");
        }
        Audit.redriveEnded(redrive, "cancelled by " + grant.get().scope().label() + " client at "
                + request.getRemoteAddr());
        return Response.ok(json(redrives.find(redrive).orElseThrow())).build();
    }

    private static long id(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw new InvalidField("id", "must be a redrive id");
        }
    }

    /** Redrives span every context: a token limited to contexts may not see or start them. */
    private void allContexts() {
        if (!grant.contexts().isEmpty()) {
            throw new InvalidField(403, "Authorization", "this API token is limited to contexts; redrives span all of them");
        }
    }

    private JsonObject json(Redrives.Redrive r) {
        return Json.createObjectBuilder()
                .add("id", r.id())
                .add("state", r.state())
                .add("filter", r.filter())
                .add("rate", r.rate())
                .add("override", r.override() == null ? JsonValue.NULL : Redaction.redact(r.override()))
                .add("matched", r.matched())
                .add("redriven", r.redriven())
                .add("skipped", r.skipped())
                .add("last_job_id", r.lastJobId())
                .add("error", r.error() == null ? JsonValue.NULL : Json.createValue(r.error()))
                .add("created_by", r.createdBy())
                .add("created_at", time(r.createdAt()))
                .add("finished_at", time(r.finishedAt()))
                .add("href", uri.getBaseUriBuilder().path("redrives").path(Long.toString(r.id())).build().toString())
                .build();
    }

    private static JsonValue time(LocalDateTime t) {
        return t == null ? JsonValue.NULL : Json.createValue(Times.rest(t));
    }
}
