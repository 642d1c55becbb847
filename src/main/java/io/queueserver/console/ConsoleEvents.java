package io.queueserver.console;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobProgressed;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobSubmitted;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.JobEvents;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * Turns the job events of this node into dashboard events ({@code event: job}) for every node of the cluster.
 * The observers run on the thread that fired the event (the dispatcher's), so they only hand a string over.
 */
@ApplicationScoped
public class ConsoleEvents {
    @Inject
    ClusterRelay relay;

    void onSubmitted(@Observes @Priority(JobEvents.SERVER) JobSubmitted e) {
        relay.publish(job("submitted", e.id(), e.context()).add("state", "waiting").build().toString());
    }

    void onStarted(@Observes @Priority(JobEvents.SERVER) JobStarted e) {
        relay.publish(job("started", e.id(), e.context()).add("state", "working").add("attempt", e.attempt())
                .add("node", e.owner()).build().toString());
    }

    void onFinished(@Observes @Priority(JobEvents.SERVER) JobFinished e) {
        relay.publish(job("finished", e.id(), e.context()).add("state", e.state().label())
                .add("return_code", e.returnCode() == null ? JsonValue.NULL : Json.createValue(e.returnCode()))
                .add("error", e.error() == null ? JsonValue.NULL : Json.createValue(e.error()))
                .build().toString());
    }

    void onProgressed(@Observes @Priority(JobEvents.SERVER) JobProgressed e) {
        relay.publish(Json.createObjectBuilder().add("kind", "progressed").add("id", e.id()).add("state", "working")
                .add("percent", e.percent())
                .add("message", e.message() == null ? JsonValue.NULL : Json.createValue(e.message()))
                .build().toString());
    }

    private static JsonObjectBuilder job(String kind, long id, String context) {
        return Json.createObjectBuilder().add("kind", kind).add("id", id).add("context", context);
    }
}
