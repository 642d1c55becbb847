package io.queueserver.core;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Times as the REST API shows them: UTC, RFC 3339 with microseconds (the database stores UTC without a zone). */
public final class Times {
    private static final DateTimeFormatter REST = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private Times() {
    }

    public static String rest(LocalDateTime time) {
        return REST.format(time);
    }
}
