package io.queueserver.schedules;

import io.queueserver.api.RequestBody;
import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.core.JobSubmitted;
import io.queueserver.core.Problems;
import io.queueserver.security.RequestGrant;
import io.queueserver.store.ScheduleTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.InputStream;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Recurring jobs as a resource: {@code GET /schedules}, {@code GET|PUT|DELETE /schedules/{name}},
 * {@code POST /schedules/{name}/pause|resume|run} and the job history {@code GET /schedules/{name}/runs}. Changes
 * need an admin token (as every write but a submit); a token limited to contexts sees the schedules of its contexts.
 */
@Path("schedules")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {
    static final int RECENT_RUNS = 10;
    static final int MAX_RUNS = 200;
    /** Room for the schedule's own fields around its job, which the job parser limits to QUEUE_BODY_MAX_BYTES. */
    static final int ENVELOPE_BYTES = 16_384;

    @Inject
    Schedules schedules;

    @Inject
    Firings firings;

    @Inject
    ScheduleParser parser;

    @Inject
    RequestGrant grant;

    @Inject
    @ConfigProperty(name = "queue.body.max.bytes", defaultValue = "262144")
    int jobLimit;

    @Context
    UriInfo uri;

    @GET
    public JsonObject list() throws SQLException {
        JsonArrayBuilder listed = Json.createArrayBuilder();
        for (ScheduleTable.Row row : schedules.list()) {
            if (grant.maySee(row.context())) {
                listed.add(ScheduleJson.summary(row, Schedule.of(row)));
            }
        }
        return Json.createObjectBuilder().add("schedules", listed).build();
    }

    @GET
    @Path("{name}")
    public Response get(@PathParam("name") String name) throws SQLException {
        return visible(name).map(row -> Response.ok(full(row)).build()).orElseGet(() -> notFound(name));
    }

    /** Creates (201) or replaces (200) the schedule; its history stays, its next tick is the first after now. */
    @PUT
    @Path("{name}")
    @Consumes(MediaType.WILDCARD)
    public Response put(@PathParam("name") String name, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                        InputStream body) throws SQLException {
        Schedule schedule = parser.parse(name, RequestBody.read(body, contentType, jobLimit + ENVELOPE_BYTES));
        Schedules.Change change = schedules.put(schedule);
        JsonObject json = full(schedules.find(name).orElseThrow());
        return change == Schedules.Change.CREATED
                ? Response.created(uri.getBaseUriBuilder().path("schedules").path(name).build()).entity(json).build()
                : Response.ok(json).build();
    }

    /** The schedule and its history go; the jobs it fired stay. */
    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name) throws SQLException {
        return schedules.delete(ScheduleParser.name(name)) ? Response.noContent().build() : notFound(name);
    }

    @POST
    @Path("{name}/pause")
    public Response pause(@PathParam("name") String name) throws SQLException {
        return schedules.pause(ScheduleParser.name(name), true).map(row -> Response.ok(full(row)).build())
                .orElseGet(() -> notFound(name));
    }

    /** Ticks from now on fire again; those of the pause are not made up for. */
    @POST
    @Path("{name}/resume")
    public Response resume(@PathParam("name") String name) throws SQLException {
        return schedules.pause(ScheduleParser.name(name), false).map(row -> Response.ok(full(row)).build())
                .orElseGet(() -> notFound(name));
    }

    /** Fires one job now, paused or not, whatever the overlap policy: {@code 201}, {@code Location: /jobs/{id}}. */
    @POST
    @Path("{name}/run")
    public Response run(@PathParam("name") String name) throws SQLException {
        Optional<JobSubmitted> job = firings.runNow(ScheduleParser.name(name));
        if (job.isEmpty()) {
            return notFound(name);
        }
        long id = job.get().id();
        String href = uri.getBaseUriBuilder().path("jobs").path(Long.toString(id)).build().toString();
        return Response.created(java.net.URI.create(href)).entity(Json.createObjectBuilder().add("schedule", name)
                .add("job_id", id).add("href", href).build()).build();
    }

    /** The job history, newest first, a page at a time: {@code before} is the {@code next_before} of the last page. */
    @GET
    @Path("{name}/runs")
    public Response runs(@PathParam("name") String name, @QueryParam("limit") String limit,
                         @QueryParam("before") String before) throws SQLException {
        if (visible(name).isEmpty()) {
            return notFound(name);
        }
        int n = limit(limit);
        List<ScheduleTable.Run> runs = schedules.runs(name, before(before), n);
        return Response.ok(Json.createObjectBuilder().add("runs", ScheduleJson.runs(runs))
                .add("next_before", runs.size() < n ? JsonValue.NULL
                        : ScheduleJson.time(runs.get(runs.size() - 1).fireAt())).build()).build();
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return 50;
        }
        if (!text.matches("\\d{1,3}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > MAX_RUNS) {
            throw new InvalidField("limit", "must be between 1 and " + MAX_RUNS);
        }
        return Integer.parseInt(text);
    }

    private static LocalDateTime before(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException e) {
            throw new InvalidField("before", "must be an RFC 3339 time, the next_before of the previous page");
        }
    }

    private Optional<ScheduleTable.Row> visible(String name) throws SQLException {
        return schedules.find(ScheduleParser.name(name)).filter(row -> grant.maySee(row.context()));
    }

    private JsonObject full(ScheduleTable.Row row) {
        try {
            return ScheduleJson.full(row, Schedule.of(row), schedules.runs(row.name(), null, RECENT_RUNS));
        } catch (SQLException e) {
            throw new IllegalStateException("the schedule's runs could not be read: " + e.getMessage(), e);
        }
    }

    private static Response notFound(String name) {
        return Problems.of(404, "name", "no schedule '" + name + "'");
    }
}
