package io.queueserver.api;

import io.queueserver.core.CallbacksDue;
import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.security.RequestGrant;
import io.queueserver.store.BatchStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.InputStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** What the batch and workflow routes share: reading their bodies, and finding a batch the caller may see. */
@ApplicationScoped
public class GroupRequests {
    @Inject
    JobSpecParser parser;

    @Inject
    BatchStore store;

    @Inject
    RequestGrant grant;

    @Inject
    JobEvents events;

    @Inject
    @ConfigProperty(name = "queue.batch.body.max.bytes", defaultValue = "16777216")
    int bodyLimit;

    JsonValue read(InputStream body, String contentType) {
        return RequestBody.read(body, contentType, bodyLimit);
    }

    GroupBody parse(InputStream body, String contentType, TraceContext trace, boolean workflow) {
        return GroupBody.parse(read(body, contentType), parser, trace, workflow);
    }

    JobSpecParser parser() {
        return parser;
    }

    /** Closes a batch; false when there is none. */
    boolean close(long id) throws SQLException {
        boolean closed = store.close(id);
        events.fire(new CallbacksDue());
        return closed;
    }

    /** Cancels a workflow's jobs that have not started; returns how many. */
    int cancel(long id) throws SQLException {
        List<JobFinished> cancelled = store.cancelPending(id);
        cancelled.forEach(events::fire);
        events.fire(new CallbacksDue());
        return cancelled.size();
    }

    /** The batch (of {@code kind}, or any when null) with this id, if there is one and the caller may see it. */
    Optional<JsonObject> visible(String id, String kind) throws SQLException {
        return store.view(Long.parseLong(id)).filter(b -> (kind == null || kind.equals(b.getString("kind")))
                && grant.maySee(b.getString("context")));
    }
}
