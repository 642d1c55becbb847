package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.store.Leases;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rescue waits until this node has been connected for a full lease: after an outage, live nodes beat first. */
class RescuerTest {
    private final ManualClock clock = new ManualClock();
    private Duration connected = Duration.ZERO;
    private int rounds;
    private final List<Leases.Rescued> reported = new ArrayList<>();

    private final Rescuer rescuer = new Rescuer(limit -> {
        rounds++;
        return new Leases.Rescued(List.of(4L), List.of());
    }, () -> connected, Duration.ofSeconds(30), reported::add,
            new DatabaseBackoff(Logger.getAnonymousLogger(), "test", clock));

    @Test
    void noRescueBeforeAFullLeaseConnected() {
        connected = Duration.ofSeconds(29);
        assertFalse(rescuer.round());
        assertEquals(0, rounds);
        connected = Duration.ofSeconds(30);
        assertTrue(rescuer.round());
        assertEquals(1, rounds);
        assertEquals(1, reported.size());
    }
}
