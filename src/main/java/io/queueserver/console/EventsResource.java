package io.queueserver.console;

import io.queueserver.store.JobSearch;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.sql.SQLException;

/**
 * {@code GET /jobs/events}: server-sent events. {@code hello} (this node), {@code counters} (the numbers of
 * {@code /jobs/status}, every 1.5 s), {@code throughput} (jobs finished per 10 s over the last 10 minutes, once) and
 * {@code job} (submitted, started, progressed, finished on any node of the cluster; {@code retried} in bulk) and
 * {@code batch} (a batch's summary when its jobs were added or ended, or it was closed; at most every 250 ms per node).
 */
@Path("jobs/events")
@RequestScoped
public class EventsResource {
    @Inject
    EventStream stream;

    @Inject
    JobSearch search;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) throws SQLException {
        stream.register(sink, sse, search.throughput().build());
    }
}
