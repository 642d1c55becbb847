package io.queueserver.store;

import io.queueserver.core.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedule tables on the real schema (H2): due schedules, the tick a second node cannot claim again, history. */
class ScheduleTableTest {
    private static int databases;
    private final ScheduleTable table = new ScheduleTable();
    private String url;
    private Connection c;

    @BeforeEach
    void schema() throws Exception {
        url = TestSchema.h2("schedules" + databases++);
        c = DriverManager.getConnection(url, "sa", "");
        c.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private ScheduleTable.Row schedule(String name, LocalDateTime next) {
        return new ScheduleTable.Row(name, "* * * * *", "UTC", "{}", "reports", "allow", "run_once", 100, null, null,
                false, next, null, null, null, null, null, null, null);
    }

    @Test
    void onlyDueSchedulesAreFoundAndLocked() throws SQLException {
        LocalDateTime now = table.now(c);
        table.insert(c, schedule("due", now.minusSeconds(1)));
        table.insert(c, schedule("later", now.plusHours(1)));
        table.insert(c, schedule("paused", null));
        c.commit();
        assertEquals(List.of("due"), table.due(c, 0, 100).stream().map(ScheduleTable.Row::name).toList());
        assertEquals(List.of("due", "later"), table.due(c, 3_600_000_001L, 100).stream().map(ScheduleTable.Row::name)
                .toList(), "and those due within an hour");
        assertTrue(table.lockDue(c, "due").isPresent());
        assertTrue(table.lockDue(c, "later").isEmpty());
        assertTrue(table.lockDue(c, "paused").isEmpty());
        c.rollback();
    }

    @Test
    void aTickIsClaimedOnce() throws SQLException {
        LocalDateTime tick = LocalDateTime.parse("2026-03-29T01:00:00");
        table.insert(c, schedule("s", tick));
        table.insertRun(c, "s", tick, false, "fired", null, null);
        c.commit();
        SQLException again = assertThrows(SQLException.class, () -> table.insertRun(c, "s", tick, false, "fired", 7L, null));
        assertTrue(ScheduleTable.duplicateKey(again), again.getSQLState());
        table.insertRun(c, "s", tick, true, "fired", null, "a run asked for at the same moment has a key of its own");
        c.commit();
    }

    @Test
    void runsShowTheirJobsNewestFirstAndPagesAndPrune() throws SQLException {
        table.insert(c, schedule("s", null));
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO queue_job (id, state, priority, neg_priority, context, concurrency_key, type,"
                    + " payload, run_at, time_added) VALUES (41, 3, 500, -500, 'reports', 'reports', 'http', '{}',"
                    + " LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))");
        }
        LocalDateTime t = LocalDateTime.parse("2026-06-01T12:00:00");
        table.insertRun(c, "s", t, false, "fired", null, null);
        table.completeRun(c, "s", t, false, "fired", 41L, null);
        table.insertRun(c, "s", t.plusMinutes(1), false, "skipped", null, "job 41 was still working (overlap: skip)");
        table.insertRun(c, "s", t.plusMinutes(2), false, "fired", 42L, null);
        table.advance(c, "s", t.plusMinutes(3), t.plusMinutes(2), "fired", 41L);
        c.commit();
        List<ScheduleTable.Run> runs = table.runs(c, "s", null, 10);
        assertEquals(List.of("fired", "skipped", "fired"), runs.stream().map(ScheduleTable.Run::outcome).toList());
        assertNull(runs.get(0).jobState(), "job 42 is gone");
        assertEquals(JobState.DONE, runs.get(2).jobState());
        assertEquals(List.of(t), table.runs(c, "s", t.plusMinutes(1), 10).stream().map(ScheduleTable.Run::fireAt).toList());
        ScheduleTable.Row row = table.find(c, "s").orElseThrow();
        assertEquals(JobState.DONE, row.lastJobState());
        assertEquals(t.plusMinutes(3), row.nextFireAt());
        assertEquals(0, table.pruneRuns(c, Duration.ofDays(1)), "runs are as old as their firing");
        assertEquals(3, table.pruneRuns(c, Duration.ofSeconds(-60)));
        assertTrue(table.delete(c, "s"));
        assertFalse(table.delete(c, "s"));
        c.commit();
    }

    @Test
    void aScheduleANodeIsFiringIsSkippedByTheOthers() throws SQLException {
        table.insert(c, schedule("s", table.now(c).minusSeconds(1)));
        c.commit();
        assertTrue(table.lockDue(c, "s").isPresent());
        try (Connection other = DriverManager.getConnection(url, "sa", "")) {
            other.setAutoCommit(false);
            assertTrue(table.lockDue(other, "s").isEmpty(), "locked by the first node: skipped, not waited for");
            other.rollback();
        }
        c.rollback();
    }
}
