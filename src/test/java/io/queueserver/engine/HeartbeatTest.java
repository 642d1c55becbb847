package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.Claim;
import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.Outcome;
import org.junit.jupiter.api.Test;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat's decisions with a stand-in store and a manual clock. */
class HeartbeatTest {
    private final ManualClock clock = new ManualClock();
    private final RunningAttempts running = new RunningAttempts();
    private final Set<AttemptId> owned = new HashSet<>();
    private final List<Set<AttemptId>> renewed = new ArrayList<>();
    private final List<Set<AttemptId>> handedBack = new ArrayList<>();
    private int beats;
    private boolean databaseAway;
    /** How long the next heartbeat write is held before it gets through, as a partition that heals holds it. */
    private Duration held = Duration.ZERO;

    private final Heartbeat heartbeat = new Heartbeat("n1", new Heartbeat.Store(node -> {
        if (databaseAway) {
            throw new SQLTransientConnectionException("away", "08001");
        }
        clock.advance(held);
        beats++;
        return null;
    }, ids -> {
        renewed.add(Set.copyOf(ids));
        return ids.size();
    }, node -> Set.copyOf(owned), ids -> {
        handedBack.add(Set.copyOf(ids));
        owned.removeAll(ids);
        return ids.size();
    }), running, n -> { }, clock, Duration.ofSeconds(10), new DatabaseBackoff(Logger.getAnonymousLogger(), "test", clock));

    private CompletableFuture<Outcome> run(Claim claim) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        running.add(claim, true).future = future;
        owned.add(claim.attemptId());
        return future;
    }

    @Test
    void renewsExactlyTheAttemptsItRuns() {
        run(Claims.of(1, 1));
        run(Claims.of(2, 3));
        heartbeat.beat();
        assertEquals(List.of(Set.of(new AttemptId(1, 1), new AttemptId(2, 3))), renewed);
    }

    @Test
    void abortsAnAttemptWhoseRowIsNoLongerItsButNotANewerOne() {
        CompletableFuture<Outcome> old = run(Claims.of(1, 1));
        owned.remove(new AttemptId(1, 1)); // rescued elsewhere, or cancelled
        CompletableFuture<Outcome> other = run(Claims.of(2, 1));
        heartbeat.beat();
        assertTrue(old.isCancelled());
        assertFalse(other.isCancelled());
    }

    @Test
    void anOrphanIsHandedBackAtTheSecondBeatThatSeesIt() {
        owned.add(new AttemptId(7, 2)); // committed claim this node never ran
        heartbeat.beat();
        assertTrue(handedBack.isEmpty(), "a claim may have committed between the two reads of one beat");
        heartbeat.beat();
        assertEquals(List.of(Set.of(new AttemptId(7, 2))), handedBack);
    }

    /** A partition that holds the bytes makes a beat hang, not fail: no beat for two intervals breaks it too. */
    @Test
    void connectedTimeRestartsAfterABeatThatHung() {
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        heartbeat.beat();
        assertEquals(Duration.ofSeconds(10), heartbeat.connectedFor());
        clock.advance(Duration.ofSeconds(25)); // the next beat hung for 25 s, then got through
        assertEquals(Duration.ZERO, heartbeat.connectedFor(), "not connected while no beat gets through");
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), heartbeat.connectedFor(), "counted again from the beat that got through");
    }

    /**
     * The beat starts while the node is connected, a partition holds its bytes for longer than two intervals, and it
     * gets through when the partition heals, without an error: the partition broke the connected time all the same,
     * else the node would rescue, right after the heal, the jobs of live nodes that had no time to beat yet.
     */
    @Test
    void aBeatHeldByAPartitionUntilItHealsBreaksTheConnectedTime() {
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(20), heartbeat.connectedFor());
        held = Duration.ofSeconds(25);
        heartbeat.beat();
        assertEquals(Duration.ZERO, heartbeat.connectedFor(), "counted again from the end of the beat that was held");
        held = Duration.ZERO;
        clock.advance(Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), heartbeat.connectedFor());
        clock.advance(Duration.ofSeconds(7));
        heartbeat.beat();
        assertEquals(Duration.ofSeconds(10), heartbeat.connectedFor(), "a beat on time keeps counting");
    }

    @Test
    void connectedTimeRestartsAfterAFailedBeat() {
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(40), heartbeat.connectedFor());
        databaseAway = true;
        heartbeat.beat();
        assertEquals(Duration.ZERO, heartbeat.connectedFor());
        databaseAway = false;
        clock.advance(Duration.ofSeconds(31));
        heartbeat.beat();
        clock.advance(Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(5), heartbeat.connectedFor());
        assertEquals(5, beats);
    }
}
