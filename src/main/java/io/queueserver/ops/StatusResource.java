package io.queueserver.ops;

import io.queueserver.api.JobJson;
import io.queueserver.core.Json;
import io.queueserver.core.NodeIdentity;
import io.queueserver.engine.Engine;
import io.queueserver.store.JobStore;

import jakarta.inject.Inject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code GET /status}: one open answer for monitoring systems, 200 while the node is ready and live, 503 otherwise.
 * It runs the very checks of {@code /health/ready} and {@code /health/live}, and adds the counters of
 * {@code /jobs/status} (one read of the per-state counts, a few rows whatever the size of the job table).
 */
@Path("status")
public class StatusResource {
    @Inject
    @Readiness
    DatabaseReadiness readiness;

    @Inject
    @Liveness
    DispatcherLiveness liveness;

    @Inject
    JobStore store;

    @Inject
    Engine engine;

    @Inject
    NodeIdentity node;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response status() {
        HealthCheckResponse ready = readiness.call();
        HealthCheckResponse live = liveness.call();
        boolean up = ready.getStatus() == HealthCheckResponse.Status.UP && live.getStatus() == HealthCheckResponse.Status.UP;
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("status", up ? "UP" : "DOWN")
                .add("ready", ready.getStatus() == HealthCheckResponse.Status.UP)
                .add("live", live.getStatus() == HealthCheckResponse.Status.UP)
                .add("version", ServerInfoResource.VERSION)
                .add("node", node.id())
                .add("checks", Json.createObjectBuilder().add(ready.getName(), check(ready)).add(live.getName(), check(live)));
        if (ready.getStatus() == HealthCheckResponse.Status.UP) {
            try {
                body.add("jobs", JobJson.statusCounters(store.counts(), engine.maxSlots(), engine.freeSlots()));
            } catch (RuntimeException e) {
                // the database went away since the check: the answer says so
                up = false;
                body.add("status", "DOWN").add("ready", false);
            }
        }
        return Response.status(up ? 200 : 503).header("Cache-Control", "no-store").entity(body.build()).build();
    }

    private static JsonObjectBuilder check(HealthCheckResponse check) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("status", check.getStatus().name());
        check.getData().ifPresent(data -> data.forEach((key, value) -> {
            if (value instanceof Number n) {
                b.add(key, n.longValue());
            } else if (value instanceof Boolean flag) {
                b.add(key, flag);
            } else {
                b.add(key, String.valueOf(value));
            }
        }));
        return b;
    }
}
