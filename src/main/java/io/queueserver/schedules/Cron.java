package io.queueserver.schedules;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.queueserver.core.InvalidField;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A cron expression in a time zone: 5 fields (minute hour day-of-month month day-of-week, as crontab), 6 fields
 * (seconds first, otherwise the same; {@code ?} allowed in a day field), or a nickname ({@code @hourly},
 * {@code @daily}, {@code @midnight}, {@code @weekly}, {@code @monthly}, {@code @yearly}, {@code @annually}).
 * <p>
 * Ticks are the wall-clock times of the zone that match the expression (cron-utils finds them, on a clock without
 * daylight saving), mapped to instants by two rules: a wall-clock time that does not exist (the hour skipped when
 * clocks go forward) fires once, at the first instant after the gap (03:00 for 02:30 in Europe/Berlin); one that
 * exists twice (the hour repeated when clocks go back) fires once, at its first occurrence. So every wall-clock
 * time fires at most once, and ticks of the skipped hour are made up for at its end.
 */
final class Cron {
    private static final CronParser FIVE = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final CronParser SIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING));
    private static final Map<String, String> NICKNAMES = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    /** Candidates tried past instants already used (a repeated or skipped hour): an hour of seconds, and then some. */
    private static final int MAX_STEPS = 4000;

    private final String expression;
    private final ZoneId zone;
    private final ZoneRules rules;
    private final ExecutionTime times;

    private Cron(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.rules = zone.getRules();
        this.times = times;
    }

    /** Parses the expression, or refuses it naming {@code field}. */
    static Cron parse(String expression, ZoneId zone, String field) {
        String text = expression.trim().replaceAll("\\s+", " ");
        String fields = NICKNAMES.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        if (fields.startsWith("@")) {
            throw new InvalidField(field, "unknown nickname '" + text + "': use one of " + NICKNAMES.keySet().stream()
                    .sorted().toList() + ", or 5 or 6 fields");
        }
        int count = fields.split(" ").length;
        if (count != 5 && count != 6) {
            throw new InvalidField(field, "must have 5 fields (minute hour day-of-month month day-of-week) or 6"
                    + " (seconds first), not " + count);
        }
        try {
            com.cronutils.model.Cron cron = (count == 5 ? FIVE : SIX).parse(fields).validate();
            return new Cron(text, zone, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            throw new InvalidField(field, "is not a valid cron expression: " + e.getMessage());
        }
    }

    String expression() {
        return expression;
    }

    ZoneId zone() {
        return zone;
    }

    /** The first tick strictly after {@code after}, or empty when the expression never matches again. */
    Optional<Instant> next(Instant after) {
        LocalDateTime from = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS);
        ZoneOffsetTransition repeated = rules.previousTransition(after.plusNanos(1));
        if (repeated != null && repeated.isOverlap() && rules.getOffset(after).equals(repeated.getOffsetAfter())
                && from.isBefore(repeated.getDateTimeBefore())) {
            // in the repeated hour's second pass: its wall-clock times fired in the first
            from = repeated.getDateTimeBefore().minusSeconds(1);
        }
        for (int step = 0; step < MAX_STEPS; step++) {
            Optional<ZonedDateTime> candidate = times.nextExecution(from.atZone(ZoneOffset.UTC));
            if (candidate.isEmpty()) {
                return Optional.empty();
            }
            from = candidate.get().toLocalDateTime();
            Instant tick = instant(from);
            if (tick.isAfter(after)) {
                return Optional.of(tick);
            }
        }
        throw new IllegalStateException("no tick of '" + expression + "' in " + zone + " found after " + after);
    }

    /** A wall-clock time as an instant: in a gap, the gap's end; in an overlap, the first occurrence. */
    private Instant instant(LocalDateTime local) {
        ZoneOffsetTransition transition = rules.getTransition(local);
        if (transition != null && transition.isGap()) {
            return transition.getInstant();
        }
        return local.atZone(zone).toInstant();
    }
}
