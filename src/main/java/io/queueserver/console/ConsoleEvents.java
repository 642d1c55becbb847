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

import java.util.function.Supplier;

/**
 * Turns the job events of this node into dashboard events ({@code event: job}) for every node of the cluster.
 * The observers run on the thread that fired the event (the dispatcher's), so they only hand a string over, and
 * only while a browser may receive it: a node alone with no dashboard open builds nothing per job.
 */
@ApplicationScoped
public class ConsoleEvents {
    @Inject
    ClusterRelay relay;

    void onSubmitted(@Observes @Priority(JobEvents.SERVER) JobSubmitted e) {
        send(() -> job("submitted", e.id(), e.context()).add("state", "waiting"));
    }

    void onStarted(@Observes @Priority(JobEvents.SERVER) JobStarted e) {
        send(() -> job("started", e.id(), e.context()).add("state", "working").add("attempt", e.attempt())
                .add("node", e.owner()));
    }

    void onFinished(@Observes @Priority(JobEvents.SERVER) JobFinished e) {
        send(() -> job("finished", e.id(), e.context()).add("state", e.state().label())
                .add("return_code", e.returnCode() == null ? JsonValue.NULL : Json.createValue(e.returnCode()))
                .add("error", e.error() == null ? JsonValue.NULL : Json.createValue(e.error())));
    }

    void onProgressed(@Observes @Priority(JobEvents.SERVER) JobProgressed e) {
        send(() -> Json.createObjectBuilder().add("kind", "progressed").add("id", e.id()).add("state", "working")
                .add("percent", e.percent())
                .add("message", e.message() == null ? JsonValue.NULL : Json.createValue(e.message())));
    }

    private void send(Supplier<JsonObjectBuilder> event) {
        if (relay.reachesBrowsers()) {
            relay.publish(event.get().build().toString());
        }
    }

    private static JsonObjectBuilder job(String kind, long id, String context) {
        return Json.createObjectBuilder().add("kind", kind).add("id", id).add("context", context);
    }
}
