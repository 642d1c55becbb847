package io.queueserver.schedules;

import io.queueserver.core.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ticks a firing makes, with the clock set by hand: on time, late, and missed under each policy. */
class TickPlanTest {
    private static final Duration GRACE = Duration.ofSeconds(60);
    private static final Instant NOON = Instant.parse("2026-06-01T12:00:00Z");

    private static Schedule minutely(Missed missed, int cap, Instant endAt) {
        return new Schedule("m", Cron.parse("* * * * *", ZoneId.of("UTC"), "cron"),
                new JobTemplate(500, "default", "http", Json.createObjectBuilder().build(), 1, "default", 0, 0),
                Overlap.ALLOW, missed, cap, null, endAt, false);
    }

    private static List<String> outcomes(TickPlan plan) {
        return plan.ticks().stream().map(t -> t.at().toString().substring(11, 16) + " " + t.outcome()).toList();
    }

    @Test
    void aDueTickFiresAndTheNextIsTheFollowingOne() {
        TickPlan plan = TickPlan.of(minutely(Missed.SKIP, 100, null), NOON, NOON.plusMillis(300), GRACE);
        assertEquals(List.of("12:00 fired"), outcomes(plan));
        assertEquals(Instant.parse("2026-06-01T12:01:00Z"), plan.next());
    }

    @Test
    void ticksLateByLessThanTheGraceAllFireAsTheyAre() {
        TickPlan plan = TickPlan.of(minutely(Missed.SKIP, 100, null), NOON, NOON.plusSeconds(59), GRACE);
        assertEquals(List.of("12:00 fired"), outcomes(plan));
        Schedule everySecond = new Schedule("s", Cron.parse("* * * * * *", ZoneId.of("UTC"), "cron"),
                minutely(Missed.SKIP, 1, null).job(), Overlap.ALLOW, Missed.SKIP, 1, null, null, false);
        assertEquals(4, TickPlan.of(everySecond, NOON, NOON.plusMillis(3200), GRACE).ticks().size(),
                "a node that was slow fires every tick it owes, not only the last");
    }

    @Test
    void missedSkipRecordsTheGapOnceAndFiresOnlyRecentTicks() {
        TickPlan plan = TickPlan.of(minutely(Missed.SKIP, 100, null), NOON, NOON.plus(Duration.ofMinutes(10)).plusSeconds(5), GRACE);
        assertEquals(List.of("12:00 missed", "12:10 fired"), outcomes(plan));
        assertTrue(plan.ticks().get(0).detail().contains("missed: skip"));
        assertEquals(Instant.parse("2026-06-01T12:11:00Z"), plan.next());
    }

    @Test
    void missedRunOnceMakesUpForAllWithOneJob() {
        TickPlan plan = TickPlan.of(minutely(Missed.RUN_ONCE, 100, null), NOON, NOON.plus(Duration.ofHours(5)), GRACE);
        assertEquals(List.of("12:00 caught_up", "16:59 fired", "17:00 fired"), outcomes(plan));
    }

    @Test
    void missedRunAllMakesUpForEachUpToTheCap() {
        TickPlan all = TickPlan.of(minutely(Missed.RUN_ALL, 100, null), NOON, NOON.plus(Duration.ofMinutes(3)), GRACE);
        assertEquals(List.of("12:00 caught_up", "12:01 caught_up", "12:02 fired", "12:03 fired"), outcomes(all));
        TickPlan capped = TickPlan.of(minutely(Missed.RUN_ALL, 3, null), NOON, NOON.plus(Duration.ofDays(2)), GRACE);
        assertEquals(List.of("12:00 caught_up", "12:01 caught_up", "12:02 caught_up", "12:03 missed", "11:59 fired",
                "12:00 fired"), outcomes(capped));
        assertTrue(capped.ticks().get(3).detail().contains("missed_cap 3"), capped.ticks().get(3).detail());
    }

    @Test
    void noTickAfterTheEnd() {
        Instant end = NOON.plusSeconds(90);
        TickPlan plan = TickPlan.of(minutely(Missed.RUN_ALL, 100, end), NOON, NOON.plus(Duration.ofMinutes(5)), GRACE);
        assertEquals(List.of("12:00 caught_up", "12:01 caught_up"), outcomes(plan));
        assertNull(plan.next(), "finished");
    }

    @Test
    void aScheduleStartsAtItsStartAndShowsItsNextTicks() {
        Schedule s = minutely(Missed.SKIP, 100, null);
        Schedule later = new Schedule("l", s.cron(), s.job(), s.overlap(), s.missed(), 1, NOON.plusSeconds(600), null,
                false);
        assertEquals(NOON.plusSeconds(600), later.firstTick(NOON).orElseThrow(), "a start on a tick is that tick");
        assertEquals(NOON.plusSeconds(60), s.firstTick(NOON).orElseThrow(), "strictly after now");
        assertTrue(s.withPaused(true).firstTick(NOON).isEmpty());
        List<Instant> next = s.upcoming(NOON, 10);
        assertEquals(10, next.size());
        assertEquals(NOON.plusSeconds(540), next.get(9));
    }
}
