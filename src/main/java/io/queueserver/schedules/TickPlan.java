package io.queueserver.schedules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one firing of a due schedule does: every tick from the due one up to now, and the next tick after now. Ticks
 * older than the grace were missed (no node was there to fire them) and follow the schedule's {@link Missed}
 * policy; the others fire as they are, however late.
 */
record TickPlan(List<Tick> ticks, Instant next) {
    static final String FIRED = "fired";
    static final String CAUGHT_UP = "caught_up";
    static final String MISSED = "missed";
    static final String SKIPPED = "skipped";

    /** A tick and what becomes of it: a job ({@link #FIRED}, {@link #CAUGHT_UP}) or only a record ({@link #MISSED}). */
    record Tick(Instant at, String outcome, String detail) {
        boolean firesJob() {
            return !outcome.equals(MISSED);
        }
    }

    static TickPlan of(Schedule s, Instant due, Instant now, Duration grace) {
        List<Tick> ticks = new ArrayList<>();
        Instant late = now.minus(grace);
        Optional<Instant> t = Optional.of(due);
        if (due.isBefore(late)) {
            switch (s.missed()) {
                case SKIP -> ticks.add(new Tick(due, MISSED, "missed, with the ticks after it up to "
                        + grace.toSeconds() + " s ago: no node fired them in time (missed: skip)"));
                case RUN_ONCE -> ticks.add(new Tick(due, CAUGHT_UP, "made up for this tick and the ones after it up to "
                        + grace.toSeconds() + " s ago, which no node fired in time (missed: run_once)"));
                case RUN_ALL -> {
                    for (int made = 0; t.isPresent() && t.get().isBefore(late) && made < s.missedCap(); made++) {
                        ticks.add(new Tick(t.get(), CAUGHT_UP, "made up for: no node fired it in time (missed: run_all)"));
                        t = s.tickAfter(t.get());
                    }
                    if (t.isPresent() && t.get().isBefore(late)) {
                        ticks.add(new Tick(t.get(), MISSED, "missed, with the ticks after it up to " + grace.toSeconds()
                                + " s ago: more than missed_cap " + s.missedCap() + " were missed (missed: run_all)"));
                    }
                }
            }
            t = s.tickAfter(late.minusNanos(1));
        }
        while (t.isPresent() && !t.get().isAfter(now)) {
            ticks.add(new Tick(t.get(), FIRED, null));
            t = s.tickAfter(t.get());
        }
        return new TickPlan(ticks, t.orElse(null));
    }
}
