package io.queueserver.store;

import io.queueserver.core.Job;
import io.queueserver.core.JobState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.queueserver.core.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** The dashboard's reads of the job table: the filtered list and the throughput history, each in a transaction. */
@ApplicationScoped
public class JobSearch {
    static final int BUCKET_SECONDS = 10;
    static final int HISTORY_MINUTES = 10;
    static final long SEARCH_WINDOW = 100_000;
    static final String THROUGHPUT = "SELECT state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / "
            + BUCKET_SECONDS + ") AS age, COUNT(*) FROM queue_job WHERE state IN ("
            + JobState.DONE.code() + ", " + JobState.FAILED.code() + ")"
            + " AND time_completed >= TIMESTAMPADD(MINUTE, -" + HISTORY_MINUTES + ", LOCALTIMESTAMP(6))"
            + " GROUP BY state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / " + BUCKET_SECONDS + ")";

    @PersistenceContext(unitName = "queue")
    EntityManager em;

    @Inject
    Transactions transactions;

    /** A page of the list, and the cursor of the next one (null on the last page). */
    public record Page(List<Job> jobs, Long nextCursor) {
    }

    /**
     * Rows are {@link Job#summary}s, newest first; {@code q} matches the id, the context or the type, never the
     * payload, which holds the secrets. A filter that no index serves on its own (a search, or state and context
     * together) looks at the {@value #SEARCH_WINDOW} ids below the cursor at most: the page may then hold fewer rows
     * than asked and still name a next cursor, so no request scans the whole table.
     */
    public Page page(JobFilter filter) {
        try {
            return transactions.run(tx -> {
                Long floor = null;
                if (filter.scansRows()) {
                    long top = filter.cursor() != null ? filter.cursor() : newestId(tx) + 1;
                    floor = Math.max(0, top - SEARCH_WINDOW);
                }
                List<Job> found = new ArrayList<>();
                for (Set<JobState> states : parts(filter)) {
                    found.addAll(list(filter, states, floor, tx.em()));
                }
                found.sort(Comparator.comparingLong(Job::id).reversed());
                if (found.size() > filter.limit()) {
                    List<Job> jobs = found.subList(0, filter.limit());
                    return new Page(jobs, jobs.get(jobs.size() - 1).id());
                }
                return new Page(found, floor != null && floor > 0 ? floor : null);
            });
        } catch (SQLException e) {
            throw new IllegalStateException("jobs could not be listed: " + e.getMessage(), e);
        }
    }

    private static long newestId(Transactions.Tx tx) throws SQLException {
        try (PreparedStatement select = tx.connection().prepareStatement("SELECT MAX(id) FROM queue_job");
             ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * A list word of several states ("waiting" is waiting and scheduled) is read state by state and merged, so that
     * each read walks {@code (state, id)} in page order.
     */
    private static List<Set<JobState>> parts(JobFilter filter) {
        if (filter.state().equals("all") || filter.scansRows()) {
            return List.of(filter.states());
        }
        return filter.states().stream().map(Set::of).toList();
    }

    /** One row more than the page, so that the caller knows whether a next page exists. */
    private static List<Job> list(JobFilter filter, Set<JobState> states, Long floor, EntityManager em) {
        StringBuilder jpql = new StringBuilder("SELECT " + Job.SUMMARY_COLUMNS + " FROM Job j WHERE 1 = 1");
        if (!filter.state().equals("all")) {
            jpql.append(" AND j.stateCode IN :states");
        }
        if (filter.context() != null) {
            jpql.append(" AND j.context = :context");
        }
        if (!filter.within().isEmpty()) {
            jpql.append(" AND j.context IN :within");
        }
        if (filter.batch() != null) {
            jpql.append(" AND j.batchId = :batch");
        }
        if (filter.cursor() != null) {
            jpql.append(" AND j.id < :cursor");
        }
        if (floor != null) {
            jpql.append(" AND j.id >= :floor");
        }
        if (filter.q() != null) {
            // '!' rather than a backslash: MySQL reads a backslash in a string literal as an escape character
            jpql.append(" AND (LOWER(j.context) LIKE :q ESCAPE '!' OR LOWER(j.type) LIKE :q ESCAPE '!'");
            jpql.append(filter.qId() != null ? " OR j.id = :qid)" : ")");
        }
        TypedQuery<Object[]> query = em.createQuery(jpql.append(" ORDER BY j.id DESC").toString(), Object[].class);
        if (!filter.state().equals("all")) {
            query.setParameter("states", states.stream().map(JobState::code).toList());
        }
        if (filter.context() != null) {
            query.setParameter("context", filter.context());
        }
        if (!filter.within().isEmpty()) {
            query.setParameter("within", List.copyOf(filter.within()));
        }
        if (filter.batch() != null) {
            query.setParameter("batch", filter.batch());
        }
        if (filter.cursor() != null) {
            query.setParameter("cursor", filter.cursor());
        }
        if (floor != null) {
            query.setParameter("floor", floor);
        }
        if (filter.q() != null) {
            query.setParameter("q", filter.likePattern());
            if (filter.qId() != null) {
                query.setParameter("qid", filter.qId());
            }
        }
        return query.setMaxResults(filter.limit() + 1).getResultList().stream().map(Job::summary).toList();
    }

    /**
     * Jobs finished per {@value #BUCKET_SECONDS}-second bucket over the last {@value #HISTORY_MINUTES} minutes, oldest
     * bucket first: {@code {"bucket_seconds":10,"done":[...],"failed":[...]}}.
     */
    public JsonObjectBuilder throughput() throws SQLException {
        int buckets = HISTORY_MINUTES * 60 / BUCKET_SECONDS;
        long[] done = new long[buckets];
        long[] failed = new long[buckets];
        transactions.run(tx -> {
            try (PreparedStatement select = tx.connection().prepareStatement(THROUGHPUT);
                 ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    int age = rs.getInt(2);
                    if (age >= 0 && age < buckets) {
                        (rs.getInt(1) == JobState.DONE.code() ? done : failed)[buckets - 1 - age] += rs.getLong(3);
                    }
                }
            }
            return null;
        });
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

}
