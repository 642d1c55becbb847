package io.queueserver.core;

import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details: every refusal of the API has this shape. */
public final class Problems {
    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    public static Response of(int status, String field, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(body(status, field, detail)).build();
    }

    /** The problem document itself, for the parts of the API served outside JAX-RS. */
    public static String body(int status, String field, String detail) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("type", "about:blank")
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
