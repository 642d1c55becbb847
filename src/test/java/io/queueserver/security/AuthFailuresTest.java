package io.queueserver.security;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthFailuresTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AuthFailures failures = new AuthFailures(now::get);

    @Test
    void repeatedRefusalsLockTheAddressOutForAGrowingBoundedTime() {
        for (int i = 0; i < AuthFailures.FREE; i++) {
            failures.failed("10.0.0.1");
            assertEquals(0, failures.lockedForMillis("10.0.0.1"), "the first refusals cost nothing");
        }
        failures.failed("10.0.0.1");
        assertEquals(1000, failures.lockedForMillis("10.0.0.1"));
        failures.failed("10.0.0.1");
        assertEquals(2000, failures.lockedForMillis("10.0.0.1"));
        for (int i = 0; i < 40; i++) {
            failures.failed("10.0.0.1");
        }
        assertEquals(AuthFailures.MAX_LOCK_MILLIS, failures.lockedForMillis("10.0.0.1"));
        assertEquals(0, failures.lockedForMillis("10.0.0.2"), "other addresses are not slowed down");
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(AuthFailures.MAX_LOCK_MILLIS));
        assertEquals(0, failures.lockedForMillis("10.0.0.1"));
        failures.succeeded("10.0.0.1");
        failures.failed("10.0.0.1");
        assertEquals(0, failures.lockedForMillis("10.0.0.1"), "an accepted token forgets the address");
    }

    @Test
    void memoryIsBounded() {
        for (int i = 0; i < AuthFailures.TRACKED + 100; i++) {
            failures.failed("a" + i);
        }
        for (int i = 0; i < 10; i++) {
            failures.failed("a" + (AuthFailures.TRACKED + 99));
        }
        assertTrue(failures.lockedForMillis("a" + (AuthFailures.TRACKED + 99)) > 0);
    }
}
