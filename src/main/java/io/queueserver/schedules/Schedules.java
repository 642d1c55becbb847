package io.queueserver.schedules;

import io.queueserver.store.ScheduleTable;
import io.queueserver.store.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The stored schedules: created, replaced, declared, paused, resumed, deleted, each in one transaction that locks
 * the schedule's row (and so waits for a firing in progress). A change takes effect from the first tick after it,
 * on every node at once: they read the schedule from the database whenever it is due.
 */
@ApplicationScoped
public class Schedules {
    static final int MAX_LISTED = 1000;

    @Inject
    Transactions transactions;

    @Inject
    ScheduleTable table;

    enum Change { CREATED, UPDATED, UNCHANGED }

    /** Creates or replaces the schedule (its history stays). */
    Change put(Schedule schedule) throws SQLException {
        return store(schedule, null);
    }

    /**
     * A declared schedule ({@code QUEUE_SCHEDULES}, {@code QUEUE_SCHEDULES_FILE}) is stored when it is new or when
     * its declaration changed since it was last applied ({@code digest}); otherwise the stored one stays as it is,
     * with the changes made through the API since.
     */
    Change declare(Schedule schedule, String digest) throws SQLException {
        return store(schedule, digest);
    }

    private Change store(Schedule schedule, String digest) throws SQLException {
        for (int tries = 1; ; tries++) {
            try {
                return transactions.run(tx -> {
                    Connection c = tx.connection();
                    Optional<ScheduleTable.Row> existing = table.lock(c, schedule.name());
                    if (digest != null && existing.isPresent() && digest.equals(existing.get().declared())) {
                        return Change.UNCHANGED;
                    }
                    Instant now = Schedule.instant(table.now(c));
                    ScheduleTable.Row row = schedule.row(schedule.firstTick(now).orElse(null),
                            digest != null ? digest : existing.map(ScheduleTable.Row::declared).orElse(null));
                    if (existing.isPresent()) {
                        table.update(c, row);
                        return Change.UPDATED;
                    }
                    table.insert(c, row);
                    return Change.CREATED;
                });
            } catch (SQLException e) {
                // two nodes created the same schedule at once: the second one finds the first one's row
                if (tries > 1 || !ScheduleTable.duplicateKey(e)) {
                    throw e;
                }
            }
        }
    }

    Optional<ScheduleTable.Row> find(String name) throws SQLException {
        return transactions.run(tx -> table.find(tx.connection(), name));
    }

    List<ScheduleTable.Row> list() throws SQLException {
        return transactions.run(tx -> table.list(tx.connection(), MAX_LISTED));
    }

    List<ScheduleTable.Run> runs(String name, LocalDateTime before, int limit) throws SQLException {
        return transactions.run(tx -> table.runs(tx.connection(), name, before, limit));
    }

    /** Locked first, so that the runs of a firing in progress go too. */
    boolean delete(String name) throws SQLException {
        return transactions.run(tx -> table.lock(tx.connection(), name).isPresent() && table.delete(tx.connection(), name));
    }

    /**
     * Pauses the schedule (no tick fires until it is resumed) or resumes it from the first tick after now: ticks
     * of the pause are not made up for. Empty when there is no such schedule.
     */
    Optional<ScheduleTable.Row> pause(String name, boolean paused) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<ScheduleTable.Row> row = table.lock(c, name);
            if (row.isEmpty()) {
                return Optional.empty();
            }
            if (row.get().paused() != paused) {
                Schedule schedule = Schedule.of(row.get()).withPaused(paused);
                Instant next = schedule.firstTick(Schedule.instant(table.now(c))).orElse(null);
                table.pause(c, name, paused, Schedule.utc(next));
            }
            return table.find(c, name);
        });
    }
}
