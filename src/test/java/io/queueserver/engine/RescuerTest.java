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
    /** The connection this node had when the round began was lost while the store looked for stale jobs. */
    private boolean lostDuringTheQuery;
    private final List<Leases.Rescued> reported = new ArrayList<>();

    /** Stands in for the store: job 4 is stale; it is rescued only if the caller is still sure once it is locked. */
    private final Rescuer rescuer = new Rescuer(stillConnected -> {
        rounds++;
        if (lostDuringTheQuery) {
            connected = Duration.ZERO;
        }
        return stillConnected.getAsBoolean() ? new Leases.Rescued(List.of(4L), List.of())
                : new Leases.Rescued(List.of(), List.of());
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

    /**
     * A partition began just after the check and held the query until it healed: by then this node's heartbeat had
     * seen the break, and so did every live node's, which had no time to beat yet. Their jobs stay theirs.
     */
    @Test
    void noRescueWhenTheConnectionBrokeWhileTheQueryWasHeld() {
        connected = Duration.ofSeconds(30);
        lostDuringTheQuery = true;
        assertTrue(rescuer.round());
        assertEquals(1, rounds);
        assertEquals(List.of(), reported);
    }
}
