package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import org.junit.jupiter.api.Test;

import java.sql.SQLTransientConnectionException;
import io.queueserver.store.Claimer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The claim loop on a direct executor with a stand-in store: capacity, batches, backlog, database failures. */
class ClaimLoopTest {
    private final ManualClock clock = new ManualClock();
    private final Capacity capacity = new Capacity(5);
    private final RunningAttempts running = new RunningAttempts();
    private final List<Integer> asked = new ArrayList<>();
    private final List<List<Claim>> launched = new ArrayList<>();
    private final DatabaseBackoff backoff = new DatabaseBackoff(Logger.getAnonymousLogger(), "test", clock);
    private int waiting;
    private boolean databaseAway;
    private long nextId = 1;
    private long heldBackMillis = -1;
    private final List<Long> laterMillis = new ArrayList<>();
    private final List<ClaimLoop.NewKeys> askedNew = new ArrayList<>();
    private int newWaiting;
    private Set<String> seenKeys = Set.of("busy");
    private Runnable duringClaim = () -> { };

    private final ClaimLoop loop = new ClaimLoop(capacity, running, n -> {
        asked.add(n);
        if (databaseAway) {
            throw new SQLTransientConnectionException("away", "08001");
        }
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < n && waiting > 0; i++, waiting--) {
            claims.add(Claims.of(nextId++, 1));
        }
        duringClaim.run();
        return new Claimer.Claimed(claims, heldBackMillis, seenKeys);
    }, keys -> {
        askedNew.add(keys);
        List<Claim> claims = new ArrayList<>();
        for (int i = 0; i < keys.max() && newWaiting > 0; i++, newWaiting--) {
            claims.add(Claims.of(nextId++, 1));
        }
        return claims;
    }, launched::add, Runnable::run, (task, millis) -> laterMillis.add(millis), backoff);

    @Test
    void claimsOnlyTheFreeSlotsAndNotesTheBacklog() {
        waiting = 12;
        loop.wake();
        assertEquals(List.of(5), asked, "one claim for the free slots");
        assertEquals(5, running.size());
        assertEquals(0, capacity.free());
        loop.wake();
        assertEquals(List.of(5), asked, "no free slot: no claim");
    }

    @Test
    void aShortClaimEndsTheRoundAndGivesBackTheUnusedSlots() {
        waiting = 2;
        loop.wake();
        assertEquals(List.of(5), asked);
        assertEquals(3, capacity.free());
        assertEquals(1, launched.size(), "one launch per claimed batch");
        assertEquals(2, launched.get(0).size());
        loop.wakeIfBacklog();
        assertEquals(List.of(5), asked, "no backlog after a short claim: recorded results do not wake it");
    }

    /** Jobs held back by flow control are not "no backlog": the loop tries again when the store says. */
    @Test
    void aClaimHeldBackByLimitsTriesAgainLater() {
        waiting = 1;
        heldBackMillis = 40;
        loop.wake();
        assertEquals(List.of(40L), laterMillis, "a wake-up when the next token is due");
        loop.wakeIfBacklog();
        assertEquals(List.of(5, 4), asked, "still a backlog: a recorded result wakes it");
    }

    @Test
    void aDatabaseFailureReleasesTheSlotsAndBacksOff() {
        waiting = 3;
        databaseAway = true;
        loop.wake();
        assertEquals(5, capacity.free());
        assertTrue(backoff.waiting());
        loop.wake();
        assertEquals(1, asked.size(), "no claim while backing off");
        databaseAway = false;
        clock.advance(java.time.Duration.ofSeconds(31));
        loop.wake();
        assertEquals(3, running.size());
    }

    /** Behind a flood of one key, another key's job submitted during a round is claimed beside it into a freed slot. */
    @Test
    void aNewKeysJobSubmittedDuringARoundIsClaimedBesideIt() {
        waiting = 100;
        loop.wake();
        assertEquals(List.of(5), asked, "the flood fills the slots");
        capacity.release(2); // two jobs finished
        newWaiting = 1;
        duringClaim = () -> {
            duringClaim = () -> { };
            capacity.release(1); // another finished during the round
            loop.submitted(List.of("busy", "idle"));
        };
        loop.wake();
        assertEquals(List.of(new ClaimLoop.NewKeys(List.of("idle"), 1)), askedNew,
                "only the key the round did not see waiting, into the slot freed meanwhile");
        assertEquals(List.of(5, 2), asked);
        assertEquals(3, launched.size());
        assertEquals(1, launched.get(1).size(), "the new key's job was launched during the round");
        assertEquals(8, running.size());
        assertEquals(0, capacity.free());
    }

    @Test
    void noClaimBesideWithoutARoundInFlightOrWhenTheRoundCouldNotSeeEveryKey() {
        loop.submitted(List.of("idle"));
        assertEquals(List.of(5), asked, "no round in flight: the submit's wake-up claims it");
        seenKeys = null; // more keys waited than a round reads: "not seen" does not mean new
        loop.wake();
        duringClaim = () -> {
            duringClaim = () -> { };
            loop.submitted(List.of("idle"));
        };
        loop.wake();
        assertEquals(List.of(5, 5, 5, 5), asked, "each wake-up a round, and the submit's too");
        assertEquals(List.of(), askedNew);
    }
}
