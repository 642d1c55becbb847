package io.queueserver.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node's slots and their reserve. */
class CapacityTest {
    @Test
    void roundsLeaveTheReserveFreeAndOtherTakersMayUseIt() {
        Capacity capacity = new Capacity(10, 2);
        assertEquals(8, capacity.takeLeavingReserve(100));
        assertEquals(0, capacity.takeLeavingReserve(100));
        assertEquals(2, capacity.free());
        assertEquals(2, capacity.take(100));
        capacity.release(3);
        assertEquals(1, capacity.takeLeavingReserve(100));
    }

    @Test
    void theReserveIsOneSlotFromTenSlotsOnAndMustLeaveASlotToEveryone() {
        assertEquals(0, Capacity.defaultReserve(9));
        assertEquals(1, Capacity.defaultReserve(10));
        assertEquals(1, Capacity.defaultReserve(10_000));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Capacity(4, 4));
        assertTrue(e.getMessage().contains("QUEUE_RESERVED_SLOTS"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new Capacity(4, -1));
    }
}
