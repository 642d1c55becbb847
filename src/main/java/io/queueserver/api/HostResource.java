package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.core.Times;
import io.queueserver.engine.Engine;
import io.queueserver.security.RequestGrant;
import io.queueserver.store.Breakers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /hosts}: the circuit breaker of every target host (README "Per-host circuit breaker"): its state as every
 * node shares it, and this node's counts of the host's last requests. Like limits, hosts span every context.
 */
@Path("hosts")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class HostResource {
    @Inject
    Engine engine;

    @Inject
    Breakers breakers;

    @Inject
    RequestGrant grant;

    @GET
    public JsonObject list() throws SQLException {
        if (!grant.contexts().isEmpty()) {
            throw new InvalidField(403, "Authorization", "this API token is limited to contexts; hosts span all of them");
        }
        var local = engine.hosts();
        JsonObjectBuilder answer = Json.createObjectBuilder().add("breaker", local.map(h -> Json.createObjectBuilder()
                .add("enabled", true).add("window", h.window()).add("failure_rate", h.failureRate())
                .add("refused_in_a_row", h.refusedInARow()).add("cooldown_seconds", h.cooldownSeconds()).build())
                .orElse(Json.createObjectBuilder().add("enabled", false).build()));
        Map<String, JsonObjectBuilder> hosts = new TreeMap<>();
        for (Breakers.Row row : breakers.all()) {
            hosts.put(row.host(), Json.createObjectBuilder().add("host", row.host()).add("state", row.state())
                    .add("open_until", row.state().equals(Breakers.OPEN) && row.openUntil() != null
                            ? Json.createValue(Times.rest(row.openUntil())) : JsonValue.NULL)
                    .add("probe_by", row.state().equals(Breakers.HALF_OPEN) && row.probeOwner() != null
                            ? Json.createValue(row.probeOwner()) : JsonValue.NULL)
                    .add("reason", row.reason() == null ? JsonValue.NULL : Json.createValue(row.reason()))
                    .add("opened", row.opened())
                    .add("changed_at", row.updatedAt() == null ? JsonValue.NULL : Json.createValue(Times.rest(row.updatedAt()))));
        }
        local.ifPresent(h -> h.hosts().forEach(host -> hosts.computeIfAbsent(host.host(), k -> Json.createObjectBuilder()
                .add("host", k).add("state", Breakers.CLOSED).add("open_until", JsonValue.NULL).add("probe_by", JsonValue.NULL)
                .add("reason", JsonValue.NULL).add("opened", 0).add("changed_at", JsonValue.NULL))
                .add("requests", host.requests()).add("failures", host.failures())));
        JsonArrayBuilder list = Json.createArrayBuilder();
        hosts.values().forEach(b -> {
            JsonObject o = b.build();
            list.add(o.containsKey("requests") ? o : Json.createObjectBuilder(o).add("requests", 0).add("failures", 0).build());
        });
        return answer.add("hosts", list).build();
    }
}
