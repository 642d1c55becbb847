package io.queueserver.console;

import io.queueserver.dispatch.Dispatcher;
import io.queueserver.jobs.InvalidField;
import io.queueserver.jobs.Job;
import io.queueserver.jobs.JobJson;
import io.queueserver.jobs.JobState;
import io.queueserver.jobs.JobStore;
import io.queueserver.jobs.Problems;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.StringReader;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The job list of the dashboard and its bulk action: {@code GET /jobs}, {@code POST /jobs/retry}. */
@Path("jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobListResource {
    @EJB
    JobSearch search;

    @EJB
    JobStore store;

    @EJB
    Dispatcher dispatcher;

    @Inject
    ConsoleEvents events;

    /** Newest first; {@code next_cursor} is the cursor of the next page, null on the last one. */
    @GET
    public JsonObject list(@QueryParam("state") String state, @QueryParam("context") String context,
                           @QueryParam("q") String q, @QueryParam("limit") String limit,
                           @QueryParam("cursor") String cursor) {
        JobFilter filter = JobFilter.of(state, context, q, limit, cursor);
        List<Job> found = search.list(filter);
        boolean more = found.size() > filter.limit();
        List<Job> page = more ? found.subList(0, filter.limit()) : found;
        JsonArrayBuilder jobs = Json.createArrayBuilder();
        page.forEach(job -> jobs.add(listed(job)));
        return Json.createObjectBuilder()
                .add("jobs", jobs)
                .add("next_cursor", more ? Json.createValue(page.get(page.size() - 1).id()) : JsonValue.NULL)
                .build();
    }

    /** Failed jobs (or {@code state=cancelled}) matching the filter run again; answers how many. */
    @POST
    @Path("retry")
    public JsonObject retryAll(@QueryParam("state") String state, @QueryParam("context") String context,
                               @QueryParam("q") String q) throws SQLException {
        JobFilter filter = JobFilter.of(state == null ? "failed" : state, context, q, null, null);
        Set<JobState> states = filter.states();
        if (!EnumSet.of(JobState.FAILED, JobState.CANCELLED).containsAll(states)) {
            throw new InvalidField("state", "must be failed or cancelled: only finished jobs that did not succeed are retried");
        }
        int retried = search.retry(states, filter);
        if (retried > 0) {
            dispatcher.wake();
            events.bulkChange("retried", retried);
        }
        return Json.createObjectBuilder().add("retried", retried).add("limit", JobSearch.MAX_BULK_RETRY).build();
    }

    @GET
    @Path("{id: \\d{1,18}}/callbacks")
    public Response callbacks(@PathParam("id") long id) throws SQLException {
        if (store.find(id).isEmpty()) {
            return Problems.of(404, "id", "job " + id + " not found");
        }
        return Response.ok(Json.createObjectBuilder().add("callbacks", search.callbacks(id)).build()).build();
    }

    /** The REST shape without output and payload; only what the command runs (secrets are masked by the page). */
    static JsonObject listed(Job job) {
        JsonObjectBuilder b = Json.createObjectBuilder(JobJson.rest(job));
        b.remove("output");
        b.remove("job");
        return b.add("command", command(job)).build();
    }

    private static JsonObject command(Job job) {
        JsonObjectBuilder b = Json.createObjectBuilder();
        try (var reader = Json.createReader(new StringReader(job.payload()))) {
            JsonValue command = reader.readObject().get("command");
            if (command instanceof JsonObject c) {
                for (String key : List.of("type", "method", "url", "cmd", "argv")) {
                    if (c.containsKey(key)) {
                        b.add(key, c.get(key));
                    }
                }
            }
        } catch (RuntimeException e) {
            b.add("type", job.type());
        }
        return b.build();
    }
}
