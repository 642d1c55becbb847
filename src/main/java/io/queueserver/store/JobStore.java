package io.queueserver.store;

import io.queueserver.core.TimeText;
import io.queueserver.core.Times;
import io.queueserver.core.Job;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;

import jakarta.inject.Inject;
import java.time.LocalDateTime;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.stream.Collectors;
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
     * Stores jobs in one transaction and says, in order, what became of each: stored, or a duplicate of the job its
     * unique key is bound to ({@link UniqueKeys}). The jobs are persisted as entities with ids from this node's block;
     * EclipseLink batch writing sends them as multi-row INSERTs.
     */
    public List<Stored> insert(List<JobSpec> specs) throws SQLException {
        return insert(specs, null);
    }

    /** Where new jobs go: into batch {@code batchId} (0: none), with dependents, blocked until their dependencies end. */
    public record Placement(long batchId, int[] dependents, boolean[] blocked) {
    }

    /** As {@link #insert(List)}, the jobs placed as {@code placement} says (null: no batch). */
    public List<Stored> insert(List<JobSpec> specs, Placement placement) throws SQLException {
        long first = ids.take(specs.size());
        return transactions.run(tx -> insert(tx, first, specs, placement));
    }

    /**
     * The ids of {@code n} new jobs. Taken outside any transaction: the block is fetched on a connection of its own,
     * which inside a transaction would be the transaction's.
     */
    long reserve(int n) throws SQLException {
        return ids.take(n);
    }

    /** Inserts in the running transaction, with ids from {@code first} on ({@link #reserve}). */
    List<Stored> insert(Transactions.Tx tx, long first, List<JobSpec> specs, Placement placement)
            throws SQLException {
        LocalDateTime now = now(tx.connection());
        UniqueKeys keys = UniqueKeys.lock(tx, specs, now);
        List<Stored> stored = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            JobSpec spec = specs.get(i);
            Job job = new Job(first + i, spec, now);
            if (placement != null) {
                job.place(placement.batchId() > 0 ? placement.batchId() : null, placement.dependents()[i],
                        placement.blocked()[i]);
            }
            Stored duplicate = keys.duplicate(spec, job);
            if (duplicate != null) {
                stored.add(duplicate);
                continue;
            }
            tx.em().persist(job);
            tx.counts().added(job.state(), 1);
            keys.bind(spec, job);
            stored.add(Stored.created(job.id()));
        }
        tx.em().flush();
        tx.em().clear();
        return stored;
    }

    /**
     * Persists one job in the caller's transaction, with an id taken beforehand from {@link IdBlocks} (outside any
     * transaction: a block is reserved in a transaction of its own). No unique key is looked up.
     */
    public void insert(Transactions.Tx tx, long id, JobSpec spec) throws SQLException {
        Job job = new Job(id, spec, now(tx.connection()));
        tx.em().persist(job);
        tx.counts().added(job.state(), 1);
        tx.em().flush();
        tx.em().clear();
    }

    /** The database clock, UTC. */
    static LocalDateTime now(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("SELECT LOCALTIMESTAMP(6)");
             ResultSet rs = select.executeQuery()) {
            rs.next();
            return rs.getObject(1, LocalDateTime.class); // as stored, UTC: no conversion through the JVM's zone
        }
    }

    /** Those of the jobs that are final (done, failed, cancelled, expired) or gone: what waiters wait for. */
    public Set<Long> ended(Collection<Long> jobIds) throws SQLException {
        Set<Long> ended = new HashSet<>(jobIds);
        if (jobIds.isEmpty()) {
            return ended;
        }
        String finals = Arrays.stream(JobState.values()).filter(JobState::isFinal)
                .map(s -> Integer.toString(s.code())).collect(Collectors.joining(","));
        transactions.run(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement("SELECT id FROM queue_job WHERE id IN ("
                    + jobIds.stream().map(String::valueOf).collect(Collectors.joining(",")) + ") AND state NOT IN ("
                    + finals + ")");
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ended.remove(rs.getLong(1));
                }
            }
            return null;
        });
        return ended;
    }

    /** How many duplicate submits the job absorbed while its unique key was bound to it; empty when it is not. */
    public Optional<Integer> absorbed(long id) {
        @SuppressWarnings("unchecked")
        List<Object> rows = em.createNativeQuery("SELECT absorbed FROM queue_unique WHERE job_id = ?1")
                .setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(n -> ((Number) n).intValue());
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

    /**
     * Jobs per state, from the counts the transactions keep ({@link StateCounts}): a few hundred rows whatever the
     * size of the job table. In a transaction of its own: it is read by timers, whose tasks must not leave an entity
     * manager of no transaction behind for the container to clean up (it would close it twice and stop the timer).
     */
    public Map<JobState, Long> counts() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        try {
            transactions.run(tx -> {
                try (PreparedStatement select = tx.connection().prepareStatement(
                        "SELECT state, SUM(n) FROM queue_count GROUP BY state");
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
            Optional<JobState> state = JobMoves.lockState(c, id);
            if (state.isEmpty()) {
                return false;
            }
            try (PreparedStatement unique = c.prepareStatement("DELETE FROM queue_unique WHERE job_id = ?");
                 PreparedStatement callbacks = c.prepareStatement("DELETE FROM queue_callback WHERE job_id = ?");
                 PreparedStatement attempts = c.prepareStatement("DELETE FROM queue_attempt WHERE job_id = ?");
                 PreparedStatement job = c.prepareStatement("DELETE FROM queue_job WHERE id = ?")) {
                unique.setLong(1, id);
                unique.executeUpdate();
                callbacks.setLong(1, id);
                callbacks.executeUpdate();
                attempts.setLong(1, id);
                attempts.executeUpdate();
                job.setLong(1, id);
                job.executeUpdate();
                tx.counts().removed(state.get(), 1);
                return true;
            }
        });
    }
}
