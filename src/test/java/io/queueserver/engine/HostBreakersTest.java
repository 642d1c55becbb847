package io.queueserver.engine;

import io.queueserver.core.Claim;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import io.queueserver.store.Breakers;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The circuit breaker's rules, against a stand-in of the shared table and a manual clock. */
class HostBreakersTest {
    private final ManualClock clock = new ManualClock();
    private final List<String> writes = new ArrayList<>();
    private boolean probeFree = true;
    private List<Breakers.Row> shared = List.of();
    private long nextId = 1;

    private final Breakers table = new Breakers() {
        @Override
        public void open(String host, long cooldownMillis, String reason) {
            writes.add("open " + host + " " + cooldownMillis + ": " + reason);
        }

        @Override
        public boolean takeProbe(String host, String owner, long holdMillis) {
            writes.add("probe " + host + " by " + owner);
            return probeFree;
        }

        @Override
        public void close(String host, String reason) {
            writes.add("close " + host);
        }

        @Override
        public List<Row> notClosed() {
            return shared;
        }
    };

    private final HostBreakers breakers = new HostBreakers(table,
            HostBreakers.Settings.of("on", 4, 0.5, 3, 10, 30), "node-a", clock);

    private Claim claim(String host) {
        return new Claim(nextId++, 1, 3, 0, "ctx", Json.parse("{\"command\":{\"type\":\"http\",\"url\":\"http://" + host
                + "/x\"}}"), "2026-12-01 00:00:00");
    }

    private static Outcome status(int code) {
        return code < 300 ? Outcome.succeeded(code, "") : Outcome.failed(code, "", "HTTP status " + code);
    }

    /** The claims of one round: the ones that start; the paused ones' outcomes go to {@code paused}. */
    private List<Claim> admit(List<Outcome> paused, Claim... claims) {
        List<Recorder.Result> results = new ArrayList<>();
        List<Claim> started = breakers.admit(List.of(claims), results::add);
        results.forEach(r -> paused.add(r.outcome()));
        return started;
    }

    @Test
    void halfOfAFullWindowFailingOpensTheBreakerForItsHostOnly() {
        for (int code : new int[] {200, 503, 404, 500}) {
            breakers.observe(claim("a.example"), status(code));
        }
        assertEquals(List.of("open a.example 10000: 2 of the last 4 requests failed"), writes,
                "408/425/429/5xx fail; a 404 is an answer");
        List<Outcome> paused = new ArrayList<>();
        Claim other = claim("b.example");
        assertEquals(List.of(other), admit(paused, claim("a.example"), other));
        assertEquals(1, paused.size());
        Outcome.Next next = paused.get(0).next();
        assertEquals(Outcome.Kind.PAUSE, next.kind());
        assertTrue(next.delayMillis() >= 10_000 && next.delayMillis() <= 11_000, "until the cool-down ends: " + next);
        assertTrue(paused.get(0).error().startsWith("paused by the circuit breaker of host a.example"), paused.get(0).error());
    }

    @Test
    void refusedConnectionsInARowOpenItBeforeTheWindowIsFull() {
        Outcome refused = Outcome.of(new java.net.ConnectException());
        breakers.observe(claim("c.example"), refused);
        breakers.observe(claim("c.example"), refused);
        assertTrue(writes.isEmpty());
        breakers.observe(claim("c.example"), refused);
        assertEquals(List.of("open c.example 10000: the last 3 connections were refused"), writes);
    }

    @Test
    void afterTheCoolDownOneProbeRunsAndItsOutcomeClosesOrReopens() {
        for (int i = 0; i < 4; i++) {
            breakers.observe(claim("d.example"), status(503));
        }
        clock.advance(Duration.ofSeconds(10));
        List<Outcome> paused = new ArrayList<>();
        Claim probe = claim("d.example");
        Claim second = claim("d.example");
        assertEquals(List.of(probe), admit(paused, probe, second), "one probe");
        assertEquals(1000, paused.get(0).next().delayMillis(), "the others wait a tenth of the cool-down, 1 s at least");
        breakers.observe(probe, status(502));
        assertTrue(writes.get(writes.size() - 1).startsWith("open d.example 10000: the probe failed"), writes.toString());

        clock.advance(Duration.ofSeconds(10));
        Claim next = claim("d.example");
        assertEquals(List.of(next), admit(paused, next));
        breakers.observe(next, status(200));
        assertEquals("close d.example", writes.get(writes.size() - 1));
        Claim after = claim("d.example");
        assertEquals(List.of(after), admit(paused, after), "closed: jobs start again");
    }

    @Test
    void aProbeTakenByAnotherNodeKeepsThisOnesJobsWaiting() {
        for (int i = 0; i < 4; i++) {
            breakers.observe(claim("e.example"), status(504));
        }
        clock.advance(Duration.ofSeconds(11));
        probeFree = false;
        List<Outcome> paused = new ArrayList<>();
        assertTrue(admit(paused, claim("e.example")).isEmpty());
        assertTrue(paused.get(0).error().contains("another job probes it"), paused.get(0).error());
    }

    @Test
    void breakersOpenedOrClosedByOtherNodesHoldHereToo() throws Exception {
        shared = List.of(new Breakers.Row("f.example", Breakers.OPEN, 5000, null, Long.MIN_VALUE, "elsewhere", 1, null, null));
        clock.advance(Duration.ofSeconds(1));
        breakers.refresh();
        List<Outcome> paused = new ArrayList<>();
        assertTrue(admit(paused, claim("f.example")).isEmpty(), "opened by another node");
        shared = List.of();
        clock.advance(Duration.ofSeconds(1));
        breakers.refresh();
        Claim c = claim("f.example");
        assertEquals(List.of(c), admit(paused, c), "closed by another node");
    }

    @Test
    void settings() {
        assertNull(HostBreakers.Settings.of("off", 20, 0.5, 3, 30, 30), "off: nothing of it runs");
        assertThrows(IllegalStateException.class, () -> HostBreakers.Settings.of("maybe", 20, 0.5, 3, 30, 30));
        assertThrows(IllegalStateException.class, () -> HostBreakers.Settings.of("on", 20, 0, 3, 30, 30));
        assertEquals(Duration.ofSeconds(30), HostBreakers.Settings.of("on", 20, 0.5, 3, 5, 30).probeHold());
        assertNull(HostBreakers.failure(Outcome.failed("refused target: host 'x' resolves to 169.254.169.254")),
                "a refused target says nothing of the host");
    }
}
