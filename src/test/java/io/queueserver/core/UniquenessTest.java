package io.queueserver.core;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UniquenessTest {
    private static final LocalDateTime T = LocalDateTime.of(2026, 12, 1, 10, 0, 0);

    private static Uniqueness of(String job) {
        return Uniqueness.of(new JsonFields(Json.parse(job), ""));
    }

    private static String refused(String job) {
        return assertThrows(InvalidField.class, () -> of(job)).field();
    }

    @Test
    void theShorthandIsBoundInEveryStateAndReturnsTheExistingJob() {
        Uniqueness u = of("{\"unique_key\":\"k\"}");
        assertEquals(Uniqueness.OnConflict.RETURN_EXISTING, u.onConflict());
        assertEquals(EnumSet.allOf(JobState.class), u.states());
        assertTrue(u.blocks(JobState.DONE, T.minusYears(1), T));
        assertNull(of("{}"));
    }

    @Test
    void byDefaultOnlyAnUnfinishedJobBlocksADuplicate() {
        Uniqueness u = of("{\"unique\":{\"key\":\"k\"}}");
        assertTrue(u.blocks(JobState.WAITING, T, T));
        assertTrue(u.blocks(JobState.SCHEDULED, T, T));
        assertTrue(u.blocks(JobState.WORKING, T, T));
        for (JobState finished : EnumSet.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED)) {
            assertFalse(u.blocks(finished, T, T), finished.label());
        }
    }

    @Test
    void aPeriodCountsFromTheFirstJobOrInFixedClockPeriods() {
        Uniqueness sliding = of("{\"unique\":{\"key\":\"k\",\"period\":3600,\"states\":[\"done\",\"working\"]}}");
        assertTrue(sliding.blocks(JobState.DONE, T.minusMinutes(59), T));
        assertFalse(sliding.blocks(JobState.DONE, T.minusMinutes(60), T));
        assertFalse(sliding.blocks(JobState.WAITING, T, T), "waiting is not among its states");
        Uniqueness clock = of("{\"unique\":{\"key\":\"k\",\"period\":3600,\"period_from\":\"clock\",\"states\":[\"done\"]}}");
        assertTrue(clock.blocks(JobState.DONE, T.plusMinutes(1), T.plusMinutes(59)), "same clock hour");
        assertFalse(clock.blocks(JobState.DONE, T.minusMinutes(1), T.plusMinutes(1)), "the hour turned");
    }

    @Test
    void debounceWaitsItsDelayAfterTheLastSubmitButNoLongerThanMaxWait() {
        Uniqueness u = of("{\"unique\":{\"key\":\"k\",\"on_conflict\":\"debounce\",\"delay\":30,\"max_wait\":100}}");
        LocalDateTime bound = T;
        assertEquals(T.plusSeconds(50), u.debounced(T.plusSeconds(30), bound, T.plusSeconds(20)));
        assertEquals(T.plusSeconds(100), u.debounced(T.plusSeconds(90), bound, T.plusSeconds(90)), "capped by max_wait");
        assertEquals(T.plusSeconds(100), u.debounced(T.plusSeconds(100), bound, T.plusSeconds(99)));
        Uniqueness unbounded = of("{\"unique\":{\"key\":\"k\",\"on_conflict\":\"debounce\",\"delay\":30}}");
        assertEquals(T.plusSeconds(1030), unbounded.debounced(T.plusSeconds(1000), bound, T.plusSeconds(1000)));
    }

    @Test
    void everyBadFieldIsNamed() {
        assertEquals("unique.key", refused("{\"unique\":{}}"));
        assertEquals("unique.key", refused("{\"unique\":{\"key\":\" \"}}"));
        assertEquals("unique.on_conflict", refused("{\"unique\":{\"key\":\"k\",\"on_conflict\":\"merge\"}}"));
        assertEquals("unique.states", refused("{\"unique\":{\"key\":\"k\",\"states\":[\"sleeping\"]}}"));
        assertEquals("unique.states", refused("{\"unique\":{\"key\":\"k\",\"states\":[]}}"));
        assertEquals("unique.period", refused("{\"unique\":{\"key\":\"k\",\"period\":0}}"));
        assertEquals("unique.period_from", refused("{\"unique\":{\"key\":\"k\",\"period\":60,\"period_from\":\"x\"}}"));
        assertEquals("unique.period_from", refused("{\"unique\":{\"key\":\"k\",\"period_from\":\"clock\"}}"));
        assertEquals("unique.delay", refused("{\"unique\":{\"key\":\"k\",\"on_conflict\":\"debounce\"}}"));
        assertEquals("unique.delay", refused("{\"unique\":{\"key\":\"k\",\"delay\":5}}"));
        assertEquals("unique.max_wait", refused("{\"unique\":{\"key\":\"k\",\"on_conflict\":\"debounce\",\"delay\":50,"
                + "\"max_wait\":10}}"));
        assertEquals("unique.ttl", refused("{\"unique\":{\"key\":\"k\",\"ttl\":5}}"));
        assertEquals("unique_key", refused("{\"unique_key\":\"a\",\"unique\":{\"key\":\"b\"}}"));
        assertEquals("unique_key", refused("{\"unique_key\":\"\"}"));
        assertEquals("unique", refused("{\"unique\":\"k\"}"));
    }

    @Test
    void parsesAJobAsSubmitted() {
        JsonObject job = Json.parse("{\"unique\":{\"key\":\"mailing-1234\",\"period\":3600,\"states\":[\"waiting\","
                + "\"working\"],\"on_conflict\":\"debounce\",\"delay\":30,\"max_wait\":300}}");
        Uniqueness u = Uniqueness.of(new JsonFields(job, ""));
        assertEquals(new Uniqueness("mailing-1234", 3600, false, EnumSet.of(JobState.WAITING, JobState.WORKING),
                Uniqueness.OnConflict.DEBOUNCE, 30, 300), u);
    }
}
