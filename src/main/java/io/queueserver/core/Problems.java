package io.queueserver.core;

import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details: every refusal of the API has this shape. */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** The problem type of a change whose commit nobody can confirm or deny (see README "Reliability"). */
    public static final String OUTCOME_UNKNOWN = "urn:queue-server:problem:outcome-unknown";

    public static Response of(int status, String field, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(body(status, field, detail)).build();
    }

    /** A problem with members of its own, e.g. the job a refused duplicate found. */
    public static Response of(int status, String field, String detail, jakarta.json.JsonObject more) {
        if (more.isEmpty()) {
            return of(status, field, detail);
        }
        JsonObjectBuilder body = Json.createObjectBuilder(Json.parse(body(status, field, detail)));
        more.forEach(body::add);
        return Response.status(status).type(MEDIA_TYPE).entity(body.build().toString()).build();
    }

    /** A problem of a type of its own, which a client can act on whatever the status. */
    public static Response typed(int status, String type, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(body(status, null, detail, type)).build();
    }

    /** The problem document itself, for the parts of the API served outside JAX-RS. */
    public static String body(int status, String field, String detail) {
        return body(status, field, detail, "about:blank");
    }

    private static String body(int status, String field, String detail, String type) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("type", type)
                .add("title", title(status))
                .add("status", status)
                .add("detail", detail);
        if (field != null) {
            body.add("field", field);
        }
        return body.build().toString();
    }

    private static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : "Error";
    }
}
