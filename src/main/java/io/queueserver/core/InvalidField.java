package io.queueserver.core;

/** A request the server refuses; answered as application/problem+json naming {@code field}. */
public class InvalidField extends RuntimeException {
    private final String field;
    private final int status;

    public InvalidField(String field, String detail) {
        this(400, field, detail);
    }

    public InvalidField(int status, String field, String detail) {
        super(detail, null, false, false);
        this.field = field;
        this.status = status;
    }

    public String field() {
        return field;
    }

    public int status() {
        return status;
    }
}
