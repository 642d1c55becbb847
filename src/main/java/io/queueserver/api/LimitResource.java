package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.core.LimitBody;
import io.queueserver.core.LimitBook;
import io.queueserver.core.LimitRule;
import io.queueserver.core.Problems;
import io.queueserver.engine.Engine;
import io.queueserver.security.RequestGrant;
import io.queueserver.store.Limits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.sql.SQLException;

/**
 * Flow control as a resource: {@code GET /limits}, {@code GET|PUT|DELETE /limits/{key}},
 * {@code POST /limits/{key}/pause|resume}. A change takes effect on every node within a second.
 */
@Path("limits")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class LimitResource {
    static final int MAX_BODY = 4096;
    static final int LISTED_KEYS = 100;

    @Inject
    Limits limits;

    @Inject
    RequestGrant grant;

    @Inject
    Engine engine;

    /** Every rule with its live counts, the busiest keys, and whether the whole queue is paused. */
    @GET
    public JsonObject list() throws SQLException {
        allContexts();
        LimitBook book = limits.book();
        JsonArrayBuilder rules = Json.createArrayBuilder();
        for (LimitRule rule : book.all()) {
            rules.add(json(rule));
        }
        JsonArrayBuilder keys = Json.createArrayBuilder();
        for (Limits.ActiveKey k : limits.activeKeys(LISTED_KEYS)) {
            keys.add(Json.createObjectBuilder().add("key", k.key()).add("waiting", k.waiting()).add("running", k.running())
                    .add("throttled", !limits.holding(k.key(), null, null).isEmpty() && k.waiting() > 0));
        }
        return Json.createObjectBuilder().add("queue_paused", book.queuePaused()).add("limits", rules)
                .add("keys", keys).build();
    }

    @GET
    @Path("{key: .+}")
    public Response get(@PathParam("key") String key) throws SQLException {
        allContexts();
        return limits.book().rule(LimitBody.key(key, true)).map(rule -> {
            try {
                return Response.ok(json(rule)).build();
            } catch (SQLException e) {
                throw new IllegalStateException("the limit could not be read: " + e.getMessage(), e);
            }
        }).orElseGet(() -> Problems.of(404, "key", "no limit for key '" + key + "'"));
    }

    @PUT
    @Path("{key: .+}")
    @Consumes(MediaType.WILDCARD)
    public JsonObject put(@PathParam("key") String key, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                          InputStream body) throws SQLException {
        LimitRule rule = LimitBody.parse(key, RequestBody.read(body, contentType, MAX_BODY));
        limits.put(rule);
        engine.wake();
        return json(rule);
    }

    @DELETE
    @Path("{key: .+}")
    public Response delete(@PathParam("key") String key) throws SQLException {
        if (!limits.delete(LimitBody.key(key, true))) {
            return Problems.of(404, "key", "no limit for key '" + key + "'");
        }
        engine.wake();
        return Response.noContent().build();
    }

    @POST
    @Path("{key: .+}/pause")
    public JsonObject pause(@PathParam("key") String key) throws SQLException {
        return json(limits.pause(LimitBody.key(key, true), true));
    }

    @POST
    @Path("{key: .+}/resume")
    public JsonObject resume(@PathParam("key") String key) throws SQLException {
        LimitRule rule = limits.pause(LimitBody.key(key, true), false);
        engine.wake();
        return json(rule);
    }

    /** Limits and counts span every context: a token limited to contexts may not read or change them. */
    private void allContexts() {
        if (!grant.contexts().isEmpty()) {
            throw new InvalidField(403, "Authorization", "this API token is limited to contexts; limits span all of them");
        }
    }

    private JsonObject json(LimitRule rule) throws SQLException {
        JsonObjectBuilder o = Json.createObjectBuilder()
                .add("key", rule.key())
                .add("kind", rule.kind().name().toLowerCase(java.util.Locale.ROOT))
                .add("concurrency", nullable(rule.concurrency()))
                .add("rate", rule.rates().isEmpty() ? JsonValue.NULL
                        : Json.createArrayBuilder(rule.rates().stream().map(LimitRule.Rate::text).toList()).build())
                .add("burst", nullable(rule.burst()))
                .add("paused", rule.paused())
                .add("max_backlog", rule.maxBacklog() == null ? JsonValue.NULL : Json.createValue(rule.maxBacklog()))
                .add("weight", nullable(rule.weight()))
                .add("retry", rule.retry() == null ? JsonValue.NULL : rule.retry().policy());
        long[] counts = limits.waitingAndRunning(rule);
        o.add("waiting", counts == null ? JsonValue.NULL : Json.createValue(counts[0]));
        o.add("running", counts == null ? JsonValue.NULL : Json.createValue(counts[1]));
        boolean throttled = counts != null && counts[0] > 0 && (rule.paused()
                || rule.concurrency() != null && counts[1] >= rule.concurrency());
        return o.add("throttled", throttled || rule.kind() == LimitRule.Kind.QUEUE && rule.paused()).build();
    }

    private static JsonValue nullable(Integer n) {
        return n == null ? JsonValue.NULL : Json.createValue(n);
    }
}
