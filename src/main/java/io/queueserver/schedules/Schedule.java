package io.queueserver.schedules;

import io.queueserver.store.ScheduleTable;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A schedule's definition: its cron expression in its time zone, the job it fires, what a tick does while the
 * previous job is unfinished ({@link Overlap}) and with ticks missed while the cluster was down ({@link Missed}),
 * and the optional window {@code [startAt, endAt]} its ticks fall in.
 */
record Schedule(String name, Cron cron, JobTemplate job, Overlap overlap, Missed missed, int missedCap,
                Instant startAt, Instant endAt, boolean paused) {

    Schedule withPaused(boolean paused) {
        return new Schedule(name, cron, job, overlap, missed, missedCap, startAt, endAt, paused);
    }

    /** The first tick after {@code now} (and not before the start); empty when paused or past the end. */
    Optional<Instant> firstTick(Instant now) {
        if (paused) {
            return Optional.empty();
        }
        return tickAfter(startAt != null && startAt.isAfter(now) ? startAt.minusNanos(1) : now);
    }

    /** The tick after {@code tick}, empty past the end. */
    Optional<Instant> tickAfter(Instant tick) {
        return cron.next(tick).filter(t -> endAt == null || !t.isAfter(endAt));
    }

    /** {@code first} and the ticks after it, {@code n} at most. */
    List<Instant> upcoming(Instant first, int n) {
        List<Instant> ticks = new ArrayList<>();
        for (Optional<Instant> t = Optional.ofNullable(first); t.isPresent() && ticks.size() < n; t = tickAfter(t.get())) {
            ticks.add(t.get());
        }
        return ticks;
    }

    ScheduleTable.Row row(Instant next, String declared) {
        return new ScheduleTable.Row(name, cron.expression(), cron.zone().getId(), job.json(), job.context(),
                overlap.label(), missed.label(), missedCap, utc(startAt), utc(endAt), paused, utc(next), null, null,
                null, declared, null, null, null);
    }

    static Schedule of(ScheduleTable.Row row) {
        return new Schedule(row.name(), Cron.parse(row.cron(), ZoneId.of(row.timezone()), "cron"),
                JobTemplate.parse(row.job()), Overlap.valueOf(row.overlap().toUpperCase(Locale.ROOT)),
                Missed.valueOf(row.missed().toUpperCase(Locale.ROOT)), row.missedCap(), instant(row.startAt()),
                instant(row.endAt()), row.paused());
    }

    static LocalDateTime utc(Instant t) {
        return t == null ? null : LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Instant instant(LocalDateTime t) {
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
}
