package io.queueserver.store;

import io.queueserver.core.Times;
import io.queueserver.core.Job;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The jobs table as the API uses it: committed inserts, reads, counts, deletes. A plain CDI bean: writes run in
 * {@link LocalTransaction}s, reads through JPA need no transaction.
 */
@ApplicationScoped
public class JobStore {
    private static final DateTimeFormatter SQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final String INSERT = "INSERT INTO queue_job (state, priority, context, type, payload, unique_key,"
            + " run_at, time_added, max_attempts) VALUES (?, ?, ?, ?, ?, ?,"
            + " TIMESTAMPADD(MICROSECOND, ?, COALESCE(CAST(? AS DATETIME(6)), LOCALTIMESTAMP(6))), LOCALTIMESTAMP(6), ?)";

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    @PersistenceContext(unitName = "queue")
    EntityManager em;

    /**
     * Stores jobs in one transaction and returns their ids in order. A job whose unique key is already taken is not
     * stored again: the id of the job holding the key is returned instead.
     */
    public List<Long> insert(List<JobSpec> specs) throws SQLException {
        if (specs.stream().allMatch(spec -> spec.uniqueKey() == null)) {
            return LocalTransaction.run(dataSource, c -> insertBatch(c, specs));
        }
        return LocalTransaction.run(dataSource, c -> {
            List<Long> ids = new ArrayList<>(specs.size());
            try (PreparedStatement insert = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
                for (JobSpec spec : specs) {
                    Long existing = spec.uniqueKey() == null ? null : idOfKey(c, spec.uniqueKey());
                    if (existing != null) {
                        ids.add(existing);
                        continue;
                    }
                    bind(insert, spec);
                    insert.executeUpdate();
                    try (ResultSet keys = insert.getGeneratedKeys()) {
                        keys.next();
                        ids.add(keys.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    /**
     * Jobs without unique keys in one round trip: the driver sends the batch as multi-row INSERTs
     * ({@code rewriteBatchedStatements}); the ids come back in order as generated keys.
     */
    private static List<Long> insertBatch(Connection c, List<JobSpec> specs) throws SQLException {
        List<Long> ids = new ArrayList<>(specs.size());
        try (PreparedStatement insert = c.prepareStatement(INSERT, Statement.RETURN_GENERATED_KEYS)) {
            for (JobSpec spec : specs) {
                bind(insert, spec);
                insert.addBatch();
            }
            insert.executeBatch();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                while (keys.next()) {
                    ids.add(keys.getLong(1));
                }
            }
        }
        if (ids.size() != specs.size()) {
            throw new SQLException("stored " + specs.size() + " jobs but received " + ids.size() + " ids");
        }
        return ids;
    }

    private static void bind(PreparedStatement insert, JobSpec spec) throws SQLException {
        insert.setInt(1, (spec.scheduled() ? JobState.SCHEDULED : JobState.WAITING).code());
        insert.setInt(2, spec.priority());
        insert.setString(3, spec.context());
        insert.setString(4, spec.type());
        insert.setString(5, spec.payload().toString());
        insert.setString(6, spec.uniqueKey());
        insert.setLong(7, spec.delaySeconds() * 1_000_000L);
        if (spec.runAt() != null) {
            insert.setString(8, SQL_TIME.format(spec.runAt()));
        } else {
            insert.setNull(8, Types.VARCHAR);
        }
        insert.setInt(9, spec.maxAttempts());
    }

    private static Long idOfKey(Connection c, String key) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT id FROM queue_job WHERE unique_key = ?")) {
            select.setString(1, key);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    public Optional<Job> find(long id) {
        return Optional.ofNullable(em.find(Job.class, id));
    }

    /** The attempts of a job, oldest first. */
    public JsonArray attempts(long id) {
        return rows("SELECT attempt, owner, started_at, finished_at, outcome, return_code, error FROM queue_attempt"
                + " WHERE job_id = ?1 ORDER BY id", id, "attempt", "node", "started_at", "finished_at", "outcome",
                "return_code", "error");
    }

    /** The callback deliveries of a job. */
    public JsonArray callbacks(long id) {
        return rows("SELECT kind, state, attempts, return_code, error, time_added, time_delivered, webhook_id"
                + " FROM queue_callback WHERE job_id = ?1 ORDER BY id", id, "kind", "state", "attempts", "return_code",
                "error", "created_at", "delivered_at", "webhook_id");
    }

    private JsonArray rows(String sql, long id, String... names) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(sql).setParameter(1, id).getResultList();
        JsonArrayBuilder array = Json.createArrayBuilder();
        for (Object[] row : rows) {
            JsonObjectBuilder o = Json.createObjectBuilder();
            for (int i = 0; i < names.length; i++) {
                Object v = row[i];
                if (v == null) {
                    o.addNull(names[i]);
                } else if (v instanceof Number n) {
                    o.add(names[i], n.longValue());
                } else if (v instanceof java.sql.Timestamp t) {
                    o.add(names[i], Times.rest(t.toLocalDateTime()));
                } else if (v instanceof java.time.LocalDateTime t) {
                    o.add(names[i], Times.rest(t));
                } else {
                    o.add(names[i], v.toString());
                }
            }
            if ("state".equals(names[1])) {
                o.add("state", CALLBACK_STATES.getOrDefault(((Number) row[1]).intValue(), "unknown"));
            }
            array.add(o);
        }
        return array.build();
    }

    private static final Map<Integer, String> CALLBACK_STATES = Map.of(0, "pending", 1, "sending", 3, "delivered",
            99, "given up");

    public Optional<Long> idOfUniqueKey(String key) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(idOfKey(c, key));
        }
    }

    /** Newest first, as {@link Job#summary} rows; only of the contexts {@code within} unless it is empty. */
    public List<Job> list(Set<JobState> states, int limit, Set<String> within) {
        TypedQuery<Object[]> query = em.createQuery("SELECT " + Job.SUMMARY_COLUMNS + " FROM Job j WHERE j.stateCode"
                + " IN :states" + (within.isEmpty() ? "" : " AND j.context IN :within") + " ORDER BY j.id DESC",
                Object[].class);
        query.setParameter("states", states.stream().map(JobState::code).toList());
        if (!within.isEmpty()) {
            query.setParameter("within", List.copyOf(within));
        }
        return query.setMaxResults(limit).getResultList().stream().map(Job::summary).toList();
    }

    public Map<JobState, Long> counts() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT state, COUNT(*) FROM queue_job GROUP BY state")
                .getResultList();
        for (Object[] row : rows) {
            counts.put(JobState.ofCode(((Number) row[0]).intValue()), ((Number) row[1]).longValue());
        }
        return counts;
    }

    /** Deletes a job and its callback deliveries; a running attempt finds its row gone and its result is dropped. */
    public boolean delete(long id) throws SQLException {
        return LocalTransaction.run(dataSource, c -> {
            try (PreparedStatement callbacks = c.prepareStatement("DELETE FROM queue_callback WHERE job_id = ?");
                 PreparedStatement job = c.prepareStatement("DELETE FROM queue_job WHERE id = ?")) {
                callbacks.setLong(1, id);
                callbacks.executeUpdate();
                job.setLong(1, id);
                return job.executeUpdate() > 0;
            }
        });
    }
}
