package io.queueserver.store;

import io.queueserver.core.TimeText;
import io.queueserver.core.Times;
import io.queueserver.core.Job;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;

import jakarta.inject.Inject;
import java.time.LocalDateTime;
import java.util.HashMap;
import jakarta.enterprise.context.ApplicationScoped;
import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The jobs table as the API uses it: committed inserts, reads, counts, deletes. Writes run in {@link Transactions};
 * reads through JPA need no transaction.
 */
@ApplicationScoped
public class JobStore {

    @PersistenceContext(unitName = "queue")
    EntityManager em;

    @Inject
    Transactions transactions;

    @Inject
    IdBlocks ids;

    /**
     * Stores jobs in one transaction and returns their ids in order. A job whose unique key is already taken is not
     * stored again: the id of the job holding the key is returned instead. The jobs are persisted as entities with
     * ids from this node's block; EclipseLink batch writing sends them as multi-row INSERTs.
     */
    public List<Long> insert(List<JobSpec> specs) throws SQLException {
        long first = ids.take(specs.size());
        return transactions.run(tx -> {
            Map<String, Long> taken = takenKeys(tx.connection(), specs);
            LocalDateTime now = now(tx.connection());
            List<Long> stored = new ArrayList<>(specs.size());
            for (int i = 0; i < specs.size(); i++) {
                JobSpec spec = specs.get(i);
                Long existing = spec.uniqueKey() == null ? null : taken.get(spec.uniqueKey());
                if (existing != null) {
                    stored.add(existing);
                    continue;
                }
                tx.em().persist(new Job(first + i, spec, now));
                stored.add(first + i);
                if (spec.uniqueKey() != null) {
                    taken.put(spec.uniqueKey(), first + i);
                }
            }
            tx.em().flush();
            tx.em().clear();
            return stored;
        });
    }

    /** The database clock, UTC. */
    static LocalDateTime now(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT LOCALTIMESTAMP(6)");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getObject(1, LocalDateTime.class); // as stored, UTC: no conversion through the JVM's zone
        }
    }

    private static Map<String, Long> takenKeys(Connection c, List<JobSpec> specs) throws SQLException {
        List<String> keys = specs.stream().map(JobSpec::uniqueKey).filter(k -> k != null).distinct().toList();
        Map<String, Long> taken = new HashMap<>();
        if (keys.isEmpty()) {
            return taken;
        }
        try (PreparedStatement select = c.prepareStatement("SELECT unique_key, id FROM queue_job WHERE unique_key IN ("
                + String.join(",", java.util.Collections.nCopies(keys.size(), "?")) + ")")) {
            for (int i = 0; i < keys.size(); i++) {
                select.setString(i + 1, keys.get(i));
            }
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    taken.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return taken;
    }

    public Optional<Job> find(long id) {
        return Optional.ofNullable(em.find(Job.class, id));
    }

    /**
     * The attempts of a job, oldest first. The attempt that made a job done has no history row (most jobs end at
     * their first attempt, and the job row holds all of it): it is read from the job row.
     */
    public JsonArray attempts(Job job) {
        JsonArray logged = rows("SELECT attempt, owner, started_at, finished_at, outcome, return_code, error"
                + " FROM queue_attempt WHERE job_id = ?1 ORDER BY id", job.id(), "attempt", "node", "started_at",
                "finished_at", "outcome", "return_code", "error");
        if (job.state() != JobState.DONE || job.timeStarted() == null || logged.stream().anyMatch(a ->
                a.asJsonObject().getInt("attempt") == job.attempt() && "done".equals(a.asJsonObject().getString("outcome")))) {
            return logged;
        }
        JsonObjectBuilder last = Json.createObjectBuilder().add("attempt", job.attempt());
        nullable(last, "node", job.owner());
        last.add("started_at", Times.rest(job.timeStarted()));
        last.add("finished_at", job.timeCompleted() == null ? JsonValue.NULL : Json.createValue(Times.rest(job.timeCompleted())));
        last.add("outcome", "done");
        last.add("return_code", job.returnCode() == null ? JsonValue.NULL : Json.createValue(job.returnCode()));
        last.addNull("error");
        return Json.createArrayBuilder(logged).add(last).build();
    }

    private static void nullable(JsonObjectBuilder o, String name, String value) {
        if (value == null) {
            o.addNull(name);
        } else {
            o.add(name, value);
        }
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
                    o.add(names[i], Times.rest(TimeText.utc(t)));
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

    /**
     * Jobs per state. In a transaction of its own: it is read by timers, whose tasks must not leave an entity manager
     * of no transaction behind for the container to clean up (it would close it twice and stop the timer).
     */
    public Map<JobState, Long> counts() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        try {
            transactions.run(tx -> {
                try (PreparedStatement select = tx.connection().prepareStatement(
                        "SELECT state, COUNT(*) FROM queue_job GROUP BY state");
                     ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        counts.put(JobState.ofCode(rs.getInt(1)), rs.getLong(2));
                    }
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("jobs could not be counted: " + e.getMessage(), e);
        }
        return counts;
    }

    /** Deletes a job and its callback deliveries; a running attempt finds its row gone and its result is dropped. */
    public boolean delete(long id) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            try (PreparedStatement callbacks = c.prepareStatement("DELETE FROM queue_callback WHERE job_id = ?");
                 PreparedStatement attempts = c.prepareStatement("DELETE FROM queue_attempt WHERE job_id = ?");
                 PreparedStatement job = c.prepareStatement("DELETE FROM queue_job WHERE id = ?")) {
                callbacks.setLong(1, id);
                callbacks.executeUpdate();
                attempts.setLong(1, id);
                attempts.executeUpdate();
                job.setLong(1, id);
                return job.executeUpdate() > 0;
            }
        });
    }
}
