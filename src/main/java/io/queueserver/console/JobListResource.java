package io.queueserver.console;

import io.queueserver.store.JobFilter;
import io.queueserver.store.JobSearch;

import io.queueserver.core.Job;
import io.queueserver.api.CommandSummary;
import io.queueserver.api.JobJson;
import io.queueserver.core.InvalidField;
import io.queueserver.security.RequestGrant;
import jakarta.inject.Inject;
import jakarta.enterprise.context.RequestScoped;
import io.queueserver.core.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;

/** {@code GET /jobs}: the job list of the dashboard, filtered, newest first, a page at a time. */
@Path("jobs")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class JobListResource {
    @Inject
    JobSearch search;

    @Inject
    RequestGrant grant;

    /**
     * Newest first; {@code next_cursor} is the cursor of the next page, null on the last one. A search may answer
     * fewer rows than the limit with a next cursor: it looks at a bounded range of ids per page.
     */
    @GET
    public JsonObject list(@QueryParam("state") String state, @QueryParam("context") String context,
                           @QueryParam("q") String q, @QueryParam("limit") String limit,
                           @QueryParam("cursor") String cursor, @QueryParam("batch") String batch) {
        if (context != null && !context.isBlank() && !grant.maySee(context)) {
            throw new InvalidField(403, "context", "this API token may not see jobs of context '" + context + "'");
        }
        JobFilter filter = JobFilter.of(state, context, q, limit, cursor).inBatch(batch)
                .within(grant.contexts());
        JobSearch.Page page = search.page(filter);
        JsonArrayBuilder jobs = Json.createArrayBuilder();
        page.jobs().forEach(job -> jobs.add(listed(job)));
        return Json.createObjectBuilder()
                .add("jobs", jobs)
                .add("next_cursor", page.nextCursor() == null ? JsonValue.NULL : Json.createValue(page.nextCursor()))
                .build();
    }

    /** The REST shape without output and payload; what the command runs, from the payload's head, masked. */
    static JsonObject listed(Job job) {
        return JobJson.summary(job).add("command", CommandSummary.of(job.payload(), job.type())).build();
    }
}
