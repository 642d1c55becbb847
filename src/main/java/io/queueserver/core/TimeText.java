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
public class TimeText implements AttributeConverter<LocalDateTime, Object> {
    private static final DateTimeFormatter WRITE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter READ = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd").optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd().appendPattern("HH:mm[:ss]")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    /**
     * A driver's {@code Timestamp} of a UTC column as UTC: the drivers build it in the session's zone, which is UTC,
     * while {@link java.sql.Timestamp#toLocalDateTime()} would use the JVM's zone.
     */
    public static LocalDateTime utc(java.sql.Timestamp t) {
        return LocalDateTime.ofInstant(t.toInstant(), java.time.ZoneOffset.UTC);
    }

    @Override
    public Object convertToDatabaseColumn(LocalDateTime time) {
        return text(time);
    }

    /** A UTC time as a parameter of a statement: text, so no driver moves it through the JVM's zone. */
    public static String text(LocalDateTime time) {
        if (time == null) {
            return null;
        }
        int year = time.getYear();
        if (year < 0 || year > 9999) {
            return WRITE.format(time);
        }
        // written by hand: the formatter takes the fraction through BigDecimal, for every time of every job stored
        char[] text = "0000-00-00 00:00:00.000000".toCharArray();
        digits(text, 0, 4, year);
        digits(text, 5, 2, time.getMonthValue());
        digits(text, 8, 2, time.getDayOfMonth());
        digits(text, 11, 2, time.getHour());
        digits(text, 14, 2, time.getMinute());
        digits(text, 17, 2, time.getSecond());
        digits(text, 20, 6, time.getNano() / 1000);
        return new String(text);
    }

    private static void digits(char[] text, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--, value /= 10) {
            text[i] = (char) ('0' + value % 10);
        }
    }

    /** Reading needs no help: the driver hands over the column's time (or its text) with every microsecond. */
    @Override
    public LocalDateTime convertToEntityAttribute(Object column) {
        return of(column);
    }

    /** A time column as JDBC's {@code getObject} gives it (null, a {@code LocalDateTime}, a Timestamp or text). */
    public static LocalDateTime of(Object column) {
        if (column == null || column instanceof LocalDateTime) {
            return (LocalDateTime) column;
        }
        if (column instanceof java.sql.Timestamp t) {
            return utc(t);
        }
        return LocalDateTime.parse(column.toString().trim(), READ);
    }
}
