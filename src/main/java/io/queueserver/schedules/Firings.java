package io.queueserver.schedules;

import io.queueserver.core.JobEvents;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;
import io.queueserver.core.JobSubmitted;
import io.queueserver.engine.Engine;
import io.queueserver.store.IdBlocks;
import io.queueserver.store.JobMoves;
import io.queueserver.store.JobStore;
import io.queueserver.store.ScheduleTable;
import io.queueserver.store.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Fires schedules, exactly once per tick across the cluster. A firing is one transaction: it locks the schedule's
 * row ({@code SKIP LOCKED}: a node that finds it locked leaves it to the node holding it), claims each tick by
 * inserting its run row (primary key: schedule, fire time, manual), inserts the tick's job (its id taken before) and
 * moves the schedule to its next tick. Two nodes can never both fire a tick; a node that dies in the middle fires nothing, and the next
 * node fires the tick instead. Events and wake-ups follow the commit.
 */
@ApplicationScoped
public class Firings {
    private static final Logger LOG = Logger.getLogger(Firings.class.getName());
    /** A tick not fired within this long of its time was missed: the {@link Missed} policy decides about it. */
    static final Duration GRACE = Duration.ofSeconds(60);
    static final int DUE_BATCH = 100;
    private static final Duration CLOCK_MARGIN = Duration.ofSeconds(2);

    @Inject
    Transactions transactions;

    @Inject
    ScheduleTable table;

    @Inject
    JobStore jobs;

    @Inject
    IdBlocks idBlocks;

    @Inject
    JobMoves moves;

    @Inject
    JobEvents events;

    @Inject
    Engine engine;

    /** What one transaction fired and cancelled, announced once it committed; and the schedule's last run. */
    private static final class Fired {
        final List<JobSubmitted> submitted = new ArrayList<>();
        final List<ScheduleTable.FiredJob> cancelled = new ArrayList<>();
        Instant lastFireAt;
        String lastOutcome;
        Long lastJobId;

        Fired(ScheduleTable.Row row) {
            lastFireAt = Schedule.instant(row.lastFireAt());
            lastOutcome = row.lastOutcome();
            lastJobId = row.lastJobId();
        }
    }

    /**
     * Job ids taken before the firing's transaction: a block of ids is reserved in a transaction of its own, which
     * must not be the firing's. Ids a firing does not use (a skipped tick, a tick another node fired) are left unused.
     */
    private static final class Ids {
        private long next;
        private final long end;

        Ids(long first, int count) {
            next = first;
            end = first + count;
        }

        boolean left() {
            return next < end;
        }

        long take() {
            return next++;
        }
    }

    /** The schedules due within {@code ahead}, and the database clock (null when there are none). */
    record Due(List<ScheduleTable.Row> schedules, Instant now) {
    }

    /** One indexed query, which finds nothing most of the time; the clock is read only when it finds some. */
    Due due(Duration ahead) throws SQLException {
        return transactions.run(tx -> {
            List<ScheduleTable.Row> rows = table.due(tx.connection(), ahead.toNanos() / 1000, DUE_BATCH);
            return new Due(rows, rows.isEmpty() ? null : Schedule.instant(table.now(tx.connection())));
        });
    }

    /**
     * Fires the due ticks of the schedule {@code seen} as due, unless another node is firing them; returns how many
     * jobs it submitted. Ticks beyond the ids taken for them (the clock moved on meanwhile) are left for the next
     * round.
     */
    int fireDue(ScheduleTable.Row seen) throws SQLException {
        String name = seen.name();
        int expected = jobsDue(seen);
        Ids ids = new Ids(expected == 0 ? 0 : idBlocks.take(expected), expected);
        Optional<Fired> fired = transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<ScheduleTable.Row> row = table.lockDue(c, name);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Schedule schedule;
            try {
                schedule = Schedule.of(row.get());
            } catch (RuntimeException e) {
                LOG.severe(() -> "schedule '" + name + "' cannot be read and fires no more until it is put again: " + e);
                table.advance(c, name, null, row.get().lastFireAt(), "invalid", row.get().lastJobId());
                return Optional.empty();
            }
            TickPlan plan = TickPlan.of(schedule, Schedule.instant(row.get().nextFireAt()),
                    Schedule.instant(table.now(c)), GRACE);
            Fired f = new Fired(row.get());
            Instant next = plan.next();
            for (TickPlan.Tick tick : plan.ticks()) {
                if (tick.firesJob() && !ids.left()) {
                    next = tick.at();
                    break;
                }
                fire(tx, schedule, f, tick.at(), false, tick.outcome(), tick.detail(), ids);
            }
            table.advance(c, name, Schedule.utc(next), Schedule.utc(f.lastFireAt), f.lastOutcome, f.lastJobId);
            return Optional.of(f);
        });
        fired.ifPresent(this::announce);
        return fired.map(f -> f.submitted.size()).orElse(0);
    }

    /**
     * The jobs the schedule's due ticks need, a moment from now: the node's clock may lag the database's, by which
     * the schedule was due (so its due tick counts however far the node's clock lags).
     */
    private static int jobsDue(ScheduleTable.Row row) {
        try {
            Instant due = Schedule.instant(row.nextFireAt());
            Instant now = Instant.now().isAfter(due) ? Instant.now() : due;
            return (int) TickPlan.of(Schedule.of(row), due, now.plus(CLOCK_MARGIN), GRACE).ticks().stream()
                    .filter(TickPlan.Tick::firesJob).count();
        } catch (RuntimeException unreadable) {
            return 0;
        }
    }

    /**
     * {@code POST /schedules/{name}/run}: one job now, keyed by this moment as a run asked for (never a tick's key),
     * whatever the overlap policy and whether the schedule is paused. Empty when there is no such schedule.
     */
    Optional<JobSubmitted> runNow(String name) throws SQLException {
        Ids ids = new Ids(idBlocks.take(1), 1);
        Optional<Fired> fired = transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<ScheduleTable.Row> row = table.lock(c, name);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            Schedule schedule = Schedule.of(row.get());
            Fired f = new Fired(row.get());
            fire(tx, schedule, f, Schedule.instant(table.now(c)), true, TickPlan.FIRED, "run asked for", ids);
            table.advance(c, name, row.get().nextFireAt(), Schedule.utc(f.lastFireAt), f.lastOutcome, f.lastJobId);
            return Optional.of(f);
        });
        fired.ifPresent(this::announce);
        return fired.flatMap(f -> f.submitted.stream().findFirst());
    }

    /** One tick: claimed by its run row first (a tick recorded already is left alone), then its job, if any. */
    private void fire(Transactions.Tx tx, Schedule s, Fired f, Instant at, boolean manual, String outcome,
                      String detail, Ids ids) throws SQLException {
        Connection c = tx.connection();
        try {
            table.insertRun(c, s.name(), Schedule.utc(at), manual, outcome, null, detail);
        } catch (SQLException e) {
            if (!ScheduleTable.duplicateKey(e)) {
                throw e;
            }
            LOG.fine(() -> "schedule '" + s.name() + "': tick " + at + " was fired already");
            return;
        }
        if (!outcome.equals(TickPlan.MISSED)) {
            Optional<ScheduleTable.FiredJob> previous = manual || s.overlap() == Overlap.ALLOW || f.lastJobId == null
                    ? Optional.empty() : table.job(c, f.lastJobId).filter(job -> !job.state().isFinal());
            if (previous.isPresent() && s.overlap() == Overlap.SKIP) {
                outcome = TickPlan.SKIPPED;
                detail = "job " + previous.get().id() + " was still " + previous.get().state().label()
                        + " (overlap: skip)";
            } else {
                if (previous.isPresent()) {
                    moves.cancel(previous.get().id());
                    f.cancelled.add(previous.get());
                    detail = (detail == null ? "" : detail + "; ") + "cancelled job " + previous.get().id()
                            + ", which was still " + previous.get().state().label() + " (overlap: cancel_previous)";
                }
                JobSpec spec = s.job().spec(s.name(), at, manual);
                long id = ids.take();
                jobs.insert(tx, id, spec);
                f.submitted.add(new JobSubmitted(id, spec.context(), spec.type()));
                f.lastJobId = id;
            }
            table.completeRun(c, s.name(), Schedule.utc(at), manual, outcome,
                    outcome.equals(TickPlan.SKIPPED) ? null : f.lastJobId, detail);
        }
        f.lastFireAt = at;
        f.lastOutcome = outcome;
    }

    private void announce(Fired f) {
        // as POST /jobs/{id}/cancel: the node running a cancelled job aborts it (here, or through the data grid)
        f.cancelled.forEach(job -> events.fire(new JobFinished(job.id(), job.attempt(), job.context(),
                JobState.CANCELLED, null, "cancelled")));
        f.submitted.forEach(events::fire);
        if (!f.submitted.isEmpty()) {
            engine.wake();
        }
    }
}
