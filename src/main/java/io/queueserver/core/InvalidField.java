package io.queueserver.core;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * A request the server refuses; answered as application/problem+json naming {@code field}, with {@code more}
 * members when the client can act on them.
 */
public class InvalidField extends RuntimeException {
    private final String field;
    private final int status;
    private final JsonObject more;

    public InvalidField(String field, String detail) {
        this(400, field, detail);
    }

    public InvalidField(int status, String field, String detail) {
        this(status, field, detail, JsonValue.EMPTY_JSON_OBJECT);
    }

    public InvalidField(int status, String field, String detail, JsonObject more) {
        super(detail, null, false, false);
        this.field = field;
        this.status = status;
        this.more = more;
    }

    public JsonObject more() {
        return more;
    }

    public String field() {
        return field;
    }

    public int status() {
        return status;
    }
}
