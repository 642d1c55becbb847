package io.queueserver.core;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Times as the REST API shows them: UTC, RFC 3339 with microseconds (the database stores UTC without a zone). */
public final class Times {
    private static final DateTimeFormatter REST = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private Times() {
    }

    public static String rest(LocalDateTime time) {
        return REST.format(time);
    }

    /** An RFC 3339 time of a request ({@code 2030-01-31T12:00:00Z}) in UTC; null when absent. */
    public static LocalDateTime utc(JsonFields f, String name) {
        String text = f.plainString(name, null, 64);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (DateTimeParseException e) {
            throw new InvalidField(f.field(name), "must be an RFC 3339 time such as 2030-01-31T12:00:00Z");
        }
    }
}
