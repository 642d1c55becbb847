package io.queueserver.console;

import io.queueserver.store.JobFilter;
import io.queueserver.store.JobSearch;

import io.queueserver.core.Job;
import io.queueserver.api.JobJson;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import io.queueserver.core.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.io.StringReader;
import java.util.List;

/** {@code GET /jobs}: the job list of the dashboard, filtered, newest first, a page at a time. */
@Path("jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobListResource {
    @EJB
    JobSearch search;

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
