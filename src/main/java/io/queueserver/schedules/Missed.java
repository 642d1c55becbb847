package io.queueserver.schedules;

import java.util.Locale;

/** What becomes of ticks that no node fired within {@link Firings#GRACE} of their time (the cluster was down). */
enum Missed {
    /** dropped, recorded as one run {@code missed} */
    SKIP,
    /** made up for by one job */
    RUN_ONCE,
    /** each made up for by a job, oldest first, at most {@code missed_cap} of them; the rest recorded as missed */
    RUN_ALL;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
