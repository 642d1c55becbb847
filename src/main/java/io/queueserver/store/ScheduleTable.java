package io.queueserver.store;

import io.queueserver.core.JobState;
import io.queueserver.core.TimeText;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The schedules ({@code queue_schedule}) and their firings ({@code queue_schedule_run}). Every method runs on the
 * connection of the caller's transaction ({@link Transactions}): a firing locks its schedule's row, inserts its
 * job and its run row and moves the schedule on, all in one transaction. Times are UTC on the database clock.
 */
@ApplicationScoped
public class ScheduleTable {
    public static final int PRUNE_BATCH = 1000;
    private static final TimeText TIME = new TimeText();
    private static final String COLUMNS = "s.name, s.cron, s.timezone, s.job, s.context, s.overlap, s.missed,"
            + " s.missed_cap, s.start_at, s.end_at, s.paused, s.next_fire_at, s.last_fire_at, s.last_outcome,"
            + " s.last_job_id, s.declared, s.created_at, s.updated_at";
    /** With the last job's state. */
    private static final String WITH_STATE = COLUMNS + ", j.state FROM queue_schedule s"
            + " LEFT JOIN queue_job j ON j.id = s.last_job_id";
    /** Without it: what a firing locks needs no job row. */
    private static final String LOCKING = COLUMNS + ", NULL FROM queue_schedule s WHERE s.name = ?";

    /**
     * A schedule as stored. {@code job} is the job template as JSON text; {@code lastJobState} is the state of the
     * last fired job (null when none, or when it was pruned); {@code declared} the digest of the declaration last
     * applied to it.
     */
    public record Row(String name, String cron, String timezone, String job, String context, String overlap,
                      String missed, int missedCap, LocalDateTime startAt, LocalDateTime endAt, boolean paused,
                      LocalDateTime nextFireAt, LocalDateTime lastFireAt, String lastOutcome, Long lastJobId,
                      String declared, LocalDateTime createdAt, LocalDateTime updatedAt, JobState lastJobState) {
    }

    /** One firing: a tick or a run asked for, its outcome and job (null when skipped), that job's state now. */
    public record Run(LocalDateTime fireAt, boolean manual, String outcome, Long jobId, String detail,
                      LocalDateTime firedAt, JobState jobState) {
    }

    /** The database clock, UTC. */
    public LocalDateTime now(Connection c) throws SQLException {
        return JobStore.now(c);
    }

    /**
     * The schedules due now or within {@code aheadMicros}, earliest first: one range of the index on next_fire_at,
     * empty most of the time.
     */
    public List<Row> due(Connection c, long aheadMicros, int limit) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + COLUMNS + ", NULL FROM queue_schedule s"
                + " WHERE s.next_fire_at <= TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6))"
                + " ORDER BY s.next_fire_at LIMIT " + limit)) {
            select.setLong(1, aheadMicros);
            return rows(select);
        }
    }

    /** The schedule, locked, if it is still due; empty when not due, gone, or being fired by another node. */
    public Optional<Row> lockDue(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + LOCKING + " AND s.next_fire_at <= LOCALTIMESTAMP(6) FOR UPDATE SKIP LOCKED", name);
    }

    /** The schedule, locked until the transaction ends (waiting for a firing in progress). */
    public Optional<Row> lock(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + LOCKING + " FOR UPDATE", name);
    }

    public Optional<Row> find(Connection c, String name) throws SQLException {
        return one(c, "SELECT " + WITH_STATE + " WHERE s.name = ?", name);
    }

    public List<Row> list(Connection c, int limit) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT " + WITH_STATE + " ORDER BY s.name LIMIT " + limit)) {
            return rows(select);
        }
    }

    private static Optional<Row> one(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, name);
            return rows(select).stream().findFirst();
        }
    }

    private static List<Row> rows(PreparedStatement select) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Integer state = rs.getObject(19, Integer.class);
                rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getInt(8), time(rs, 9), time(rs, 10), rs.getInt(11) != 0,
                        time(rs, 12), time(rs, 13), rs.getString(14), rs.getObject(15, Long.class), rs.getString(16),
                        time(rs, 17), time(rs, 18), state == null ? null : JobState.ofCode(state)));
            }
        }
        return rows;
    }

    private static LocalDateTime time(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class);
    }

    /** A new schedule; a concurrent insert of the same name makes this one fail with a duplicate key (SQLSTATE 23). */
    public void insert(Connection c, Row s) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_schedule (cron, timezone, job, context,"
                + " overlap, missed, missed_cap, start_at, end_at, paused, next_fire_at, declared, name, created_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
            definition(insert, s);
            insert.executeUpdate();
        }
    }

    /** Replaces a schedule's definition and next fire time; its history (last run, runs) stays. */
    public void update(Connection c, Row s) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_schedule SET cron = ?, timezone = ?, job = ?,"
                + " context = ?, overlap = ?, missed = ?, missed_cap = ?, start_at = ?, end_at = ?, paused = ?,"
                + " next_fire_at = ?, declared = ?, updated_at = LOCALTIMESTAMP(6) WHERE name = ?")) {
            definition(update, s);
            update.executeUpdate();
        }
    }

    private static void definition(PreparedStatement p, Row s) throws SQLException {
        p.setString(1, s.cron());
        p.setString(2, s.timezone());
        p.setString(3, s.job());
        p.setString(4, s.context());
        p.setString(5, s.overlap());
        p.setString(6, s.missed());
        p.setInt(7, s.missedCap());
        setTime(p, 8, s.startAt());
        setTime(p, 9, s.endAt());
        p.setInt(10, s.paused() ? 1 : 0);
        setTime(p, 11, s.nextFireAt());
        p.setString(12, s.declared());
        p.setString(13, s.name());
    }

    /** Pauses (no next fire time) or resumes (from {@code next}) a schedule. */
    public void pause(Connection c, String name, boolean paused, LocalDateTime next) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_schedule SET paused = ?, next_fire_at = ?,"
                + " updated_at = LOCALTIMESTAMP(6) WHERE name = ?")) {
            update.setInt(1, paused ? 1 : 0);
            setTime(update, 2, next);
            update.setString(3, name);
            update.executeUpdate();
        }
    }

    /** After a firing: the next tick (null: none), and what the last firing was. */
    public void advance(Connection c, String name, LocalDateTime next, LocalDateTime lastFireAt, String lastOutcome,
                        Long lastJobId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_schedule SET next_fire_at = ?,"
                + " last_fire_at = ?, last_outcome = ?, last_job_id = ? WHERE name = ?")) {
            setTime(update, 1, next);
            setTime(update, 2, lastFireAt);
            update.setString(3, lastOutcome);
            update.setObject(4, lastJobId, Types.BIGINT);
            update.setString(5, name);
            update.executeUpdate();
        }
    }

    /** Deletes a schedule and its runs (their jobs stay); false when there was none. */
    public boolean delete(Connection c, String name) throws SQLException {
        try (PreparedStatement runs = c.prepareStatement("DELETE FROM queue_schedule_run WHERE schedule_name = ?");
             PreparedStatement schedule = c.prepareStatement("DELETE FROM queue_schedule WHERE name = ?")) {
            runs.setString(1, name);
            runs.executeUpdate();
            schedule.setString(1, name);
            return schedule.executeUpdate() > 0;
        }
    }

    /** Records a firing. A tick already recorded (by another node) is a duplicate key: SQLSTATE 23. */
    public void insertRun(Connection c, String name, LocalDateTime fireAt, boolean manual, String outcome, Long jobId,
                          String detail) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_schedule_run (schedule_name, fire_at,"
                + " manual, outcome, job_id, detail, fired_at) VALUES (?, ?, ?, ?, ?, ?, LOCALTIMESTAMP(6))")) {
            insert.setString(1, name);
            setTime(insert, 2, fireAt);
            insert.setInt(3, manual ? 1 : 0);
            insert.setString(4, outcome);
            insert.setObject(5, jobId, Types.BIGINT);
            insert.setString(6, Texts.cut(detail, 500));
            insert.executeUpdate();
        }
    }

    /** After the tick was claimed by {@link #insertRun}: what came of it. */
    public void completeRun(Connection c, String name, LocalDateTime fireAt, boolean manual, String outcome, Long jobId,
                            String detail) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_schedule_run SET outcome = ?, job_id = ?,"
                + " detail = ? WHERE schedule_name = ? AND fire_at = ? AND manual = ?")) {
            update.setString(1, outcome);
            update.setObject(2, jobId, Types.BIGINT);
            update.setString(3, Texts.cut(detail, 500));
            update.setString(4, name);
            setTime(update, 5, fireAt);
            update.setInt(6, manual ? 1 : 0);
            update.executeUpdate();
        }
    }

    /** Whether the database refused a row for a key it already holds (SQLSTATE class 23). */
    public static boolean duplicateKey(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    /** The newest runs first, those fired before {@code before} when it is given. */
    public List<Run> runs(Connection c, String name, LocalDateTime before, int limit) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("SELECT r.fire_at, r.manual, r.outcome, r.job_id, r.detail,"
                + " r.fired_at, j.state FROM queue_schedule_run r LEFT JOIN queue_job j ON j.id = r.job_id"
                + " WHERE r.schedule_name = ?" + (before == null ? "" : " AND r.fire_at < ?")
                + " ORDER BY r.fire_at DESC, r.manual DESC LIMIT " + limit)) {
            select.setString(1, name);
            if (before != null) {
                setTime(select, 2, before);
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    Integer state = rs.getObject(7, Integer.class);
                    runs.add(new Run(time(rs, 1), rs.getInt(2) != 0, rs.getString(3), rs.getObject(4, Long.class),
                            rs.getString(5), time(rs, 6), state == null ? null : JobState.ofCode(state)));
                }
            }
        }
        return runs;
    }

    /** A fired job as an overlap policy sees it. */
    public record FiredJob(long id, JobState state, int attempt, String context) {
    }

    /** A fired job, or empty when it is gone (deleted or pruned). */
    public Optional<FiredJob> job(Connection c, long id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT state, attempt, context FROM queue_job WHERE id = ?")) {
            select.setLong(1, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? Optional.of(new FiredJob(id, JobState.ofCode(rs.getInt(1)), rs.getInt(2),
                        rs.getString(3))) : Optional.empty();
            }
        }
    }

    /** Deletes at most {@value #PRUNE_BATCH} runs fired longer ago than {@code keep}; returns how many. */
    public int pruneRuns(Connection c, Duration keep) throws SQLException {
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM queue_schedule_run"
                + " WHERE fired_at < TIMESTAMPADD(SECOND, ?, LOCALTIMESTAMP(6)) LIMIT " + PRUNE_BATCH)) {
            delete.setLong(1, -keep.toSeconds());
            return delete.executeUpdate();
        }
    }

    private static void setTime(PreparedStatement p, int index, LocalDateTime time) throws SQLException {
        if (time == null) {
            p.setNull(index, Types.VARCHAR);
        } else {
            p.setString(index, (String) TIME.convertToDatabaseColumn(time));
        }
    }
}
