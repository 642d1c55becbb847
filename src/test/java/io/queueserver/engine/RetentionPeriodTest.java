package io.queueserver.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionPeriodTest {
    @Test
    void units() {
        assertEquals(Duration.ofDays(7), RetentionPeriod.parse("7d"));
        assertEquals(Duration.ofHours(12), RetentionPeriod.parse("12h"));
        assertEquals(Duration.ofMinutes(30), RetentionPeriod.parse("30m"));
        assertEquals(Duration.ofSeconds(3600), RetentionPeriod.parse("3600"));
        assertEquals(Duration.ofSeconds(90), RetentionPeriod.parse(" 90s "));
        assertThrows(IllegalArgumentException.class, () -> RetentionPeriod.parse("a week"));
        assertThrows(IllegalArgumentException.class, () -> RetentionPeriod.parse("-1d"));
    }

    @Test
    void aRefusedValueNamesItsSetting() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetentionPeriod.parse("soon", "QUEUE_PRUNE_EVERY"))
                .getMessage().startsWith("QUEUE_PRUNE_EVERY must look like"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RetentionPeriod.parse("soon"))
                .getMessage().startsWith("QUEUE_RETENTION must look like"));
    }
}
