package io.queueserver.schedules;

import java.util.Locale;

/** What a tick does while the schedule's previous job is still unfinished (waiting, scheduled or working). */
enum Overlap {
    /** fires anyway */
    ALLOW,
    /** fires nothing; the tick is recorded as skipped */
    SKIP,
    /** cancels the previous job as {@code POST /jobs/{id}/cancel} does, then fires */
    CANCEL_PREVIOUS;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
