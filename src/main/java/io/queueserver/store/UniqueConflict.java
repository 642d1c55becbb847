package io.queueserver.store;

import java.sql.SQLException;

/**
 * A submit whose unique key is bound, with {@code on_conflict: reject}: its transaction rolls back. It carries a
 * constraint violation's SQLSTATE so that a group of submits is retried request by request, as for a refused value.
 */
public class UniqueConflict extends SQLException {
    private final String key;
    private final long existingId;

    UniqueConflict(String key, long existingId) {
        super("unique key '" + key + "' is bound to job " + existingId, "23000");
        this.key = key;
        this.existingId = existingId;
    }

    public String key() {
        return key;
    }

    public long existingId() {
        return existingId;
    }
}
