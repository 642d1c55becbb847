package io.queueserver.core;

import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TimeTextTest {
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    @Test
    void timesAreWrittenWithEveryMicrosecond() {
        assertEquals("2026-12-03 09:05:07.000042", TimeText.text(LocalDateTime.of(2026, 12, 3, 9, 5, 7, 42_999)));
        assertEquals("0001-01-01 00:00:00.000000", TimeText.text(LocalDateTime.of(1, 1, 1, 0, 0)));
        assertEquals("9999-12-31 23:59:59.999999", TimeText.text(LocalDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_999)));
        assertNull(TimeText.text(null));
    }

    @Test
    void asTheStandardFormatterWritesThemAndTheReaderReadsThemBack() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            LocalDateTime time = LocalDateTime.of(random.nextInt(1000, 10_000), random.nextInt(1, 13),
                    random.nextInt(1, 29), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                    random.nextInt(1_000_000_000));
            String text = TimeText.text(time);
            assertEquals(MICROS.format(time), text);
            assertEquals(time.withNano(time.getNano() / 1000 * 1000), TimeText.of(text));
        }
    }
}
