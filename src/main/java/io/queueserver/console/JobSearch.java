package io.queueserver.console;

import io.queueserver.jobs.Job;
import io.queueserver.jobs.JobState;
import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The dashboard's reads of the job and callback tables, and its bulk retry. */
@Stateless
public class JobSearch {
    static final int MAX_BULK_RETRY = 10_000;
    static final int BUCKET_SECONDS = 10;
    static final int HISTORY_MINUTES = 10;
    // '!' rather than a backslash: MySQL reads a backslash in a string literal as an escape character
    static final String TEXT_MATCH = "(LOWER(context) LIKE ? ESCAPE '!' OR LOWER(payload) LIKE ? ESCAPE '!')";
    static final String THROUGHPUT = "SELECT state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / "
            + BUCKET_SECONDS + ") AS age, COUNT(*) FROM queue_job WHERE state IN (3, 99)"
            + " AND time_completed >= TIMESTAMPADD(MINUTE, -" + HISTORY_MINUTES + ", LOCALTIMESTAMP(6))"
            + " GROUP BY state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / " + BUCKET_SECONDS + ")";
    private static final DateTimeFormatter REST_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    @PersistenceContext(unitName = "queue")
    EntityManager em;

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    /** One row more than the page, so the caller knows whether a next page exists. */
    public List<Job> list(JobFilter filter) {
        StringBuilder jpql = new StringBuilder("SELECT j FROM Job j WHERE 1 = 1");
        if (!filter.state().equals("all")) {
            jpql.append(" AND j.stateCode IN :states");
        }
        if (filter.context() != null) {
            jpql.append(" AND j.context = :context");
        }
        if (filter.cursor() != null) {
            jpql.append(" AND j.id < :cursor");
        }
        if (filter.q() != null) {
            jpql.append(" AND (LOWER(j.context) LIKE :q ESCAPE '!' OR LOWER(j.payload) LIKE :q ESCAPE '!')");
        }
        TypedQuery<Job> query = em.createQuery(jpql.append(" ORDER BY j.id DESC").toString(), Job.class);
        if (!filter.state().equals("all")) {
            query.setParameter("states", filter.states().stream().map(JobState::code).toList());
        }
        if (filter.context() != null) {
            query.setParameter("context", filter.context());
        }
        if (filter.cursor() != null) {
            query.setParameter("cursor", filter.cursor());
        }
        if (filter.q() != null) {
            query.setParameter("q", filter.likePattern());
        }
        return query.setMaxResults(filter.limit() + 1).getResultList();
    }

    /**
     * Puts failed (or cancelled) jobs matching the filter back in the queue, at most {@value #MAX_BULK_RETRY} at once.
     * Each gets one more attempt even when it had used up its attempts.
     */
    public int retry(Set<JobState> states, JobFilter filter) throws SQLException {
        String sql = "UPDATE queue_job SET state = " + JobState.WAITING.code() + ", run_at = LOCALTIMESTAMP(6),"
                + " time_completed = NULL, owner = NULL, lease_until = NULL, rescues = 0,"
                + " max_attempts = GREATEST(max_attempts, attempt + 1) WHERE state IN ("
                + states.stream().map(s -> Integer.toString(s.code())).collect(Collectors.joining(",")) + ")"
                + (filter.context() != null ? " AND context = ?" : "")
                + (filter.q() != null ? " AND " + TEXT_MATCH : "") + " LIMIT " + MAX_BULK_RETRY;
        try (Connection c = dataSource.getConnection(); PreparedStatement update = c.prepareStatement(sql)) {
            int i = 1;
            if (filter.context() != null) {
                update.setString(i++, filter.context());
            }
            if (filter.q() != null) {
                update.setString(i++, filter.likePattern());
                update.setString(i, filter.likePattern());
            }
            return update.executeUpdate();
        }
    }

    /** The callback deliveries of a job, oldest first (without their command, which may hold secrets). */
    public JsonArray callbacks(long jobId) throws SQLException {
        JsonArrayBuilder rows = Json.createArrayBuilder();
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(
                "SELECT id, kind, state, attempts, return_code, error, time_added, next_at, time_delivered"
                        + " FROM queue_callback WHERE job_id = ? ORDER BY id")) {
            select.setLong(1, jobId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    JsonObjectBuilder row = Json.createObjectBuilder()
                            .add("id", rs.getLong(1))
                            .add("kind", rs.getString(2))
                            .add("state", deliveryState(rs.getInt(3)))
                            .add("attempts", rs.getInt(4));
                    int code = rs.getInt(5);
                    row.add("return_code", rs.wasNull() ? JsonValue.NULL : Json.createValue(code));
                    String error = rs.getString(6);
                    row.add("error", error == null ? JsonValue.NULL : Json.createValue(error));
                    row.add("created_at", time(rs.getObject(7, LocalDateTime.class)));
                    row.add("next_at", time(rs.getObject(8, LocalDateTime.class)));
                    row.add("delivered_at", time(rs.getObject(9, LocalDateTime.class)));
                    rows.add(row);
                }
            }
        }
        return rows.build();
    }

    /**
     * Jobs finished per {@value #BUCKET_SECONDS}-second bucket over the last {@value #HISTORY_MINUTES} minutes, oldest
     * bucket first: {@code {"bucket_seconds":10,"done":[...],"failed":[...]}}.
     */
    public JsonObjectBuilder throughput() throws SQLException {
        int buckets = HISTORY_MINUTES * 60 / BUCKET_SECONDS;
        long[] done = new long[buckets];
        long[] failed = new long[buckets];
        try (Connection c = dataSource.getConnection(); PreparedStatement select = c.prepareStatement(THROUGHPUT);
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                int age = rs.getInt(2);
                if (age >= 0 && age < buckets) {
                    (rs.getInt(1) == JobState.DONE.code() ? done : failed)[buckets - 1 - age] += rs.getLong(3);
                }
            }
        }
        return Json.createObjectBuilder().add("bucket_seconds", BUCKET_SECONDS)
                .add("done", array(done)).add("failed", array(failed));
    }

    private static JsonArrayBuilder array(long[] values) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    private static JsonValue time(LocalDateTime t) {
        return t == null ? JsonValue.NULL : Json.createValue(t.atOffset(ZoneOffset.UTC).format(REST_TIME));
    }

    private static String deliveryState(int code) {
        return switch (code) {
            case 0 -> "pending";
            case 1 -> "sending";
            case 3 -> "delivered";
            case 99 -> "given up";
            default -> "unknown";
        };
    }
}
