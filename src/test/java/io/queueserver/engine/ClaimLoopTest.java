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
    private Capacity capacity = new Capacity(5, 0);
    private final RunningAttempts running = new RunningAttempts();
    private final List<Integer> asked = new ArrayList<>();
    private final List<Boolean> reserves = new ArrayList<>();
    private int lone;
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

    private ClaimLoop loop = loop();

    /**
     * The stand-in store: a round claims the lone jobs of another key first (turns between keys), then the flood's;
     * into the reserve only what it takes whole.
     */
    private ClaimLoop loop() {
        return new ClaimLoop(capacity, running, ask -> {
            int n = ask.slots();
            asked.add(n);
            reserves.add(ask.reserve());
            if (databaseAway) {
                throw new SQLTransientConnectionException("away", "08001");
            }
            List<Claim> claims = new ArrayList<>();
            boolean loneFits = !ask.reserve() || lone <= n;
            for (int i = 0; i < n && lone > 0 && loneFits; i++, lone--) {
                claims.add(Claims.of(nextId++, 1));
            }
            boolean floodFits = !ask.reserve() || waiting <= n - claims.size();
            for (int i = claims.size(); i < n && waiting > 0 && floodFits; i++, waiting--) {
                claims.add(Claims.of(nextId++, 1));
            }
            duringClaim.run();
            return new Claimer.Claimed(claims, heldBackMillis, seenKeys, !floodFits && waiting > 0);
        }, keys -> {
            askedNew.add(keys);
            List<Claim> claims = new ArrayList<>();
            for (int i = 0; i < keys.max() && newWaiting > 0; i++, newWaiting--) {
                claims.add(Claims.of(nextId++, 1));
            }
            return claims;
        }, launched::add, Runnable::run, (task, millis) -> laterMillis.add(millis), backoff);
    }

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

    /** Six slots, one of them the reserve, and one key's jobs waiting: the claim for five, then one into the reserve. */
    private void wakeWithAReserve(int flood) {
        capacity = new Capacity(6, 1);
        loop = loop();
        waiting = flood;
        loop.wake();
        assertEquals(List.of(5, 1), asked, "the flood's claim, then one into the reserve");
    }

    /** A flood fills every slot but the reserve; another key's job submitted then starts at once in the reserve. */
    @Test
    void aFloodLeavesTheReserveToAnotherKeysJob() {
        wakeWithAReserve(100);
        assertEquals(List.of(false, true), reserves);
        assertEquals(5, running.size(), "the flood does not take the reserve");
        assertEquals(1, capacity.free());
        lone = 1;
        loop.submitted(List.of("idle"));
        assertEquals(List.of(5, 1, 1), asked);
        assertEquals(6, running.size(), "the lone job started without waiting for the flood to free a slot");
        assertEquals(1, launched.get(launched.size() - 1).size());
        assertEquals(0, capacity.free());
        capacity.release(1); // a flood job finished
        loop.wakeIfBacklog();
        assertEquals(List.of(5, 1, 1, 1), asked, "the flood is still a backlog: the recorded result wakes the loop");
        assertEquals(List.of(false, true, true, true), reserves, "the freed slot is the reserve again");
        assertEquals(1, capacity.free());
    }

    /**
     * A claim beside a round takes the reserve only when no other slot is free, and then says so: the store takes
     * only keys whose waiting jobs fit it whole, so a new key's flood does not fill it either.
     */
    @Test
    void aClaimBesideARoundTakesTheReserveOnlyWhenNoOtherSlotIsFree() {
        wakeWithAReserve(100);
        newWaiting = 1;
        duringClaim = () -> {
            duringClaim = () -> { };
            loop.submitted(List.of("idle"));
        };
        capacity.release(1); // a flood job finished: its slot goes to the flood's next job, in a round
        loop.wakeIfBacklog();
        assertEquals(List.of(new ClaimLoop.NewKeys(List.of("idle"), 1, true)), askedNew);
        assertEquals(0, capacity.free());
    }

    /** The last jobs of a key go into the reserve when it takes them whole: nothing waits for a slot to free. */
    @Test
    void aKeysLastJobsTakeTheReserve() {
        wakeWithAReserve(6);
        assertEquals(6, running.size());
        assertEquals(0, waiting);
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
        assertEquals(List.of(new ClaimLoop.NewKeys(List.of("idle"), 1, false)), askedNew,
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
