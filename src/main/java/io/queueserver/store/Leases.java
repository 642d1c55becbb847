package io.queueserver.store;

import io.queueserver.core.AttemptId;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Leases of running jobs, all on the database clock. A node's heartbeat renews exactly the attempts it runs and
 * hands back what it owns but does not run. Rescue returns to the queue the jobs of nodes whose heartbeat row went
 * stale (a dead node, not a database that was away for everyone), and fails a job whose nodes died with it
 * {@value #MAX_RESCUES} times already: it probably kills the node that runs it.
 */
@ApplicationScoped
public class Leases {
    public static final int MAX_RESCUES = 3;
    private static final int WORKING = JobState.WORKING.code();
    private static final int CHUNK = 500;

    @Inject
    Transactions transactions;

    @Inject
    CallbackOutbox outbox;

    @Inject
    JobEnds jobEnds;

    /** Renews the leases of these attempts; returns how many rows were still this node's. */
    public int renew(String owner, Collection<AttemptId> running, long leaseMicros) throws SQLException {
        int renewed = 0;
        for (List<AttemptId> chunk : chunks(running)) {
            renewed += transactions.run(tx -> {
                try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_job SET lease_until ="
                        + " TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)) WHERE state = " + WORKING
                        + " AND owner = ? AND " + pairs(chunk))) {
                    update.setLong(1, leaseMicros);
                    update.setString(2, owner);
                    bindPairs(update, 3, chunk);
                    return update.executeUpdate();
                }
            });
        }
        return renewed;
    }

    /** The attempts this node owns in the database right now. */
    public Set<AttemptId> owned(String owner) throws SQLException {
        return transactions.run(tx -> {
            Set<AttemptId> owned = new HashSet<>();
            try (PreparedStatement select = tx.connection().prepareStatement(
                    "SELECT id, attempt FROM queue_job WHERE state = " + WORKING + " AND owner = ?")) {
                select.setString(1, owner);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        owned.add(new AttemptId(rs.getLong(1), rs.getInt(2)));
                    }
                }
            }
            return owned;
        });
    }

    /**
     * Returns attempts this node owns but never ran (or stopped without a result) to the queue; the attempt does not
     * count. Returns how many were handed back.
     */
    public int handBack(String owner, Collection<AttemptId> attempts) throws SQLException {
        JobState.WORKING.moveTo(JobState.WAITING);
        int handed = 0;
        for (List<AttemptId> chunk : chunks(attempts)) {
            handed += transactions.run(tx -> {
                try (PreparedStatement update = tx.connection().prepareStatement("UPDATE queue_job SET state = "
                        + JobState.WAITING.code() + ", owner = NULL, lease_until = NULL, attempt = attempt - 1"
                        + " WHERE state = " + WORKING + " AND owner = ? AND " + pairs(chunk))) {
                    update.setString(1, owner);
                    bindPairs(update, 2, chunk);
                    int back = update.executeUpdate();
                    tx.counts().moved(JobState.WORKING, JobState.WAITING, back);
                    return back;
                }
            });
        }
        return handed;
    }

    /** What one rescue round did: the jobs requeued, and the poison jobs it failed. */
    public record Rescued(List<Long> requeued, List<JobFinished> poisoned) {
    }

    /**
     * Rescues jobs whose lease expired and whose node's heartbeat is older than a lease (or that has no node row).
     * The caller must itself have been connected for a full lease, so that live nodes had the time to beat; it is
     * asked again once the jobs are found and locked, since a partition may have held the query until it healed,
     * when no live node had beaten yet: then nothing is rescued.
     */
    public Rescued rescueDead(long leaseMicros, int limit, BooleanSupplier stillConnected) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            List<Stale> stale = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT j.id, j.rescues, j.context, j.payload, j.owner,"
                    + " j.attempt"
                    + " FROM queue_job j WHERE j.state = " + WORKING + " AND j.lease_until < LOCALTIMESTAMP(6)"
                    + " AND NOT EXISTS (SELECT 1 FROM queue_node n WHERE n.id = j.owner"
                    + " AND n.heartbeat_at > TIMESTAMPADD(MICROSECOND, ?, LOCALTIMESTAMP(6)))"
                    + " LIMIT ? FOR UPDATE SKIP LOCKED")) {
                select.setLong(1, -leaseMicros);
                select.setInt(2, limit);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        stale.add(new Stale(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getInt(6)));
                    }
                }
            }
            List<Long> requeued = new ArrayList<>();
            List<JobFinished> poisoned = new ArrayList<>();
            if (stale.isEmpty() || !stillConnected.getAsBoolean()) {
                return new Rescued(requeued, poisoned);
            }
            for (Stale job : stale) {
                if (job.rescues() >= MAX_RESCUES) {
                    String error = "poison job: its node stopped while running it " + (MAX_RESCUES + 1)
                            + " times (last node " + job.owner() + ")";
                    AttemptLog.ended(c, job.id(), "poisoned", error);
                    move(c, tx.counts(), job.id(), JobState.FAILED, error);
                    outbox.record(c, job.id(), job.context(), Json.parse(job.payload()), JobState.FAILED,
                            Outcome.failed(error));
                    poisoned.add(new JobFinished(job.id(), job.attempt(), job.context(), JobState.FAILED, null, error));
                    jobEnds.ended(tx, List.of(JobEnds.endOf(c, job.id(), JobState.FAILED)));
                } else {
                    AttemptLog.ended(c, job.id(), "rescued", "lease expired: node " + job.owner()
                            + " stopped renewing it");
                    move(c, tx.counts(), job.id(), JobState.WAITING, null);
                    requeued.add(job.id());
                }
            }
            return new Rescued(requeued, poisoned);
        });
    }

    /** A running job whose lease and node's heartbeat both went stale. */
    private record Stale(long id, int rescues, String context, String payload, String owner, int attempt) {
    }

    private static void move(Connection c, StateCounts counts, long id, JobState to, String error) throws SQLException {
        JobState.WORKING.moveTo(to);
        try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = ?, rescues = rescues + 1,"
                + " owner = NULL, lease_until = NULL, error = COALESCE(?, error),"
                + " time_completed = CASE WHEN ? = 1 THEN LOCALTIMESTAMP(6) ELSE time_completed END"
                + " WHERE id = ? AND state = " + WORKING)) {
            update.setInt(1, to.code());
            update.setString(2, error);
            update.setInt(3, to.isFinal() ? 1 : 0);
            update.setLong(4, id);
            counts.moved(JobState.WORKING, to, update.executeUpdate());
        }
    }

    private static String pairs(List<AttemptId> attempts) {
        return "(" + String.join(" OR ", java.util.Collections.nCopies(attempts.size(), "(id = ? AND attempt = ?)")) + ")";
    }

    private static void bindPairs(PreparedStatement statement, int first, List<AttemptId> attempts) throws SQLException {
        int p = first;
        for (AttemptId a : attempts) {
            statement.setLong(p++, a.job());
            statement.setInt(p++, a.attempt());
        }
    }

    private static List<List<AttemptId>> chunks(Collection<AttemptId> attempts) {
        List<AttemptId> all = new ArrayList<>(attempts);
        List<List<AttemptId>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return chunks;
    }
}
