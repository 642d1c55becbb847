package io.queueserver.schedules;

import io.queueserver.core.InvalidField;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ticks of cron expressions in time zones, across the days clocks go forward and back (README "Schedules"). */
class CronTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static List<String> ticks(String cron, ZoneId zone, String from, String until) {
        Cron c = Cron.parse(cron, zone, "cron");
        List<String> ticks = new ArrayList<>();
        Instant end = Instant.parse(until);
        for (Instant t = c.next(Instant.parse(from)).orElseThrow(); !t.isAfter(end); t = c.next(t).orElseThrow()) {
            ticks.add(t.toString());
        }
        return ticks;
    }

    @Test
    void berlinSpringForwardRunsTheSkippedTimeOnceAtTheEndOfTheGap() {
        // 2026-03-29: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day, and runs at 03:00 CEST (01:00 UTC)
        assertEquals(List.of("2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
                ticks("30 2 * * *", BERLIN, "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"));
    }

    @Test
    void berlinFallBackRunsTheRepeatedTimeOnceAtItsFirstOccurrence() {
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:30 happens twice, and runs at 02:30 CEST (00:30 UTC) only
        assertEquals(List.of("2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
                ticks("30 2 * * *", BERLIN, "2026-10-23T12:00:00Z", "2026-10-26T12:00:00Z"));
    }

    @Test
    void newYorkSpringForwardAndFallBack() {
        // 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 runs at 03:00 EDT (07:00 UTC)
        assertEquals(List.of("2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"),
                ticks("30 2 * * *", NEW_YORK, "2026-03-06T12:00:00Z", "2026-03-09T12:00:00Z"));
        // 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice and runs at 01:30 EDT (05:30 UTC) only
        assertEquals(List.of("2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
                ticks("30 1 * * *", NEW_YORK, "2026-10-30T12:00:00Z", "2026-11-02T12:00:00Z"));
        // 02:30 is after the repeated hour there: once a day, in EST from that day on
        assertEquals(List.of("2026-10-31T06:30:00Z", "2026-11-01T07:30:00Z"),
                ticks("30 2 * * *", NEW_YORK, "2026-10-30T12:00:00Z", "2026-11-01T12:00:00Z"));
    }

    @Test
    void aScheduleEveryFifteenMinutesMakesUpForTheSkippedHourOnceAndPausesInTheRepeatedOne() {
        // spring forward: 01:45 CET, then the ticks 02:00 to 02:45 (which do not exist) once at 03:00 CEST, then 03:15
        assertEquals(List.of("2026-03-29T00:45:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:15:00Z"),
                ticks("*/15 * * * *", BERLIN, "2026-03-29T00:40:00Z", "2026-03-29T01:15:00Z"));
        // fall back: 02:00 to 02:45 CEST, then nothing until 03:00 CET: every wall-clock time fires at most once
        assertEquals(List.of("2026-10-25T00:00:00Z", "2026-10-25T00:15:00Z", "2026-10-25T00:30:00Z",
                        "2026-10-25T00:45:00Z", "2026-10-25T02:00:00Z"),
                ticks("*/15 * * * *", BERLIN, "2026-10-24T23:50:00Z", "2026-10-25T02:00:00Z"));
    }

    @Test
    void fromInsideTheRepeatedHourTheNextTickIsAfterIt() {
        Cron c = Cron.parse("*/15 * * * *", BERLIN, "cron");
        // 01:20 UTC is 02:20 CET, the second 02:20 of the day
        assertEquals(Instant.parse("2026-10-25T02:00:00Z"), c.next(Instant.parse("2026-10-25T01:20:00Z")).orElseThrow());
    }

    @Test
    void utcTicksEverySecondWithSixFields() {
        assertEquals(List.of("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z", "2026-01-01T00:00:03Z"),
                ticks("* * * * * *", ZoneId.of("UTC"), "2026-01-01T00:00:00.500Z", "2026-01-01T00:00:03Z"));
        assertEquals(List.of("2026-01-01T00:00:30Z", "2026-01-01T00:01:30Z"),
                ticks("30 * * * * ?", ZoneId.of("UTC"), "2026-01-01T00:00:00Z", "2026-01-01T00:01:59Z"));
    }

    @ParameterizedTest
    @CsvSource({"@hourly, 2026-01-01T01:00:00Z", "@daily, 2026-01-02T00:00:00Z", "@midnight, 2026-01-02T00:00:00Z",
            "@weekly, 2026-01-04T00:00:00Z", "@monthly, 2026-02-01T00:00:00Z", "@yearly, 2027-01-01T00:00:00Z",
            "@ANNUALLY, 2027-01-01T00:00:00Z", "'0 9 * * 1-5', 2026-01-01T09:00:00Z", "'0 0 1 * 1', 2026-01-05T00:00:00Z"})
    void nicknamesAndFiveFields(String cron, String first) {
        // 2026-01-01 is a Thursday; a day of month and a day of week both given: either matches (as crontab)
        assertEquals(Instant.parse(first), Cron.parse(cron, ZoneId.of("UTC"), "cron")
                .next(Instant.parse("2026-01-01T00:30:00Z")).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"* * * *", "* * * * * * *", "61 * * * *", "a b c d e", "@every-minute", "*/0 * * * *",
            "0 25 * * *"})
    void badExpressionsAreRefusedNamingTheField(String cron) {
        InvalidField e = assertThrows(InvalidField.class, () -> Cron.parse(cron, ZoneId.of("UTC"), "cron"));
        assertEquals("cron", e.field());
        assertTrue(e.getMessage().length() > 10, e.getMessage());
    }

    @Test
    void anExpressionThatNeverMatchesHasNoTick() {
        assertTrue(Cron.parse("0 0 31 2 *", ZoneId.of("UTC"), "cron").next(Instant.parse("2026-01-01T00:00:00Z")).isEmpty());
    }
}
