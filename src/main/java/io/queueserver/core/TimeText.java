package io.queueserver.core;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;

/**
 * Job times go to the database as text with microseconds. EclipseLink takes MariaDB behind MySQL's driver for a
 * MySQL 5.5 (the version it reports is {@code 5.5.5-10.x}) and cuts bound times to whole seconds; text is parsed by
 * the database itself, so {@code DATETIME(6)} keeps every microsecond on MariaDB, MySQL and H2.
 */
@Converter
public class TimeText implements AttributeConverter<LocalDateTime, String> {
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd").optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd().appendPattern("HH:mm[:ss]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    @Override
    public String convertToDatabaseColumn(LocalDateTime time) {
        return time == null ? null : WRITE.format(time);
    }

    @Override
    public LocalDateTime convertToEntityAttribute(String text) {
        return text == null ? null : LocalDateTime.parse(text.trim(), READ);
    }
}
