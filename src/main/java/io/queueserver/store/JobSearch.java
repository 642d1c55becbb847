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
import java.util.List;

/** The dashboard's reads of the job table: the filtered list and the throughput history, each in a transaction. */
@ApplicationScoped
public class JobSearch {
    static final int BUCKET_SECONDS = 10;
    static final int HISTORY_MINUTES = 10;
    static final String THROUGHPUT = "SELECT state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / "
            + BUCKET_SECONDS + ") AS age, COUNT(*) FROM queue_job WHERE state IN ("
            + JobState.DONE.code() + ", " + JobState.FAILED.code() + ")"
            + " AND time_completed >= TIMESTAMPADD(MINUTE, -" + HISTORY_MINUTES + ", LOCALTIMESTAMP(6))"
            + " GROUP BY state, FLOOR(TIMESTAMPDIFF(SECOND, time_completed, LOCALTIMESTAMP(6)) / " + BUCKET_SECONDS + ")";

    @PersistenceContext(unitName = "queue")
    EntityManager em;

    @Inject
    Transactions transactions;

    /**
     * One row more than the page, so the caller knows whether a next page exists. Rows are {@link Job#summary}s;
     * {@code q} matches the id, the context or the type, never the payload, which holds the secrets.
     */
    public List<Job> list(JobFilter filter) {
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
        if (filter.cursor() != null) {
            jpql.append(" AND j.id < :cursor");
        }
        if (filter.q() != null) {
            // '!' rather than a backslash: MySQL reads a backslash in a string literal as an escape character
            jpql.append(" AND (LOWER(j.context) LIKE :q ESCAPE '!' OR LOWER(j.type) LIKE :q ESCAPE '!'");
            jpql.append(filter.qId() != null ? " OR j.id = :qid)" : ")");
        }
        String text = jpql.append(" ORDER BY j.id DESC").toString();
        try {
            return transactions.run(tx -> list(filter, tx.em().createQuery(text, Object[].class)));
        } catch (SQLException e) {
            throw new IllegalStateException("jobs could not be listed: " + e.getMessage(), e);
        }
    }

    private static List<Job> list(JobFilter filter, TypedQuery<Object[]> query) {
        if (!filter.state().equals("all")) {
            query.setParameter("states", filter.states().stream().map(JobState::code).toList());
        }
        if (filter.context() != null) {
            query.setParameter("context", filter.context());
        }
        if (!filter.within().isEmpty()) {
            query.setParameter("within", List.copyOf(filter.within()));
        }
        if (filter.cursor() != null) {
            query.setParameter("cursor", filter.cursor());
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
