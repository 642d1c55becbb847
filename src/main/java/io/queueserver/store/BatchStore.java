package io.queueserver.store;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobFinished;
import io.queueserver.core.JobSpec;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Batches and workflows as the API makes them: a batch row and its jobs in one transaction, with the dependencies
 * between them (and on existing jobs); jobs added to an open batch; closing; cancelling what has not started; the
 * view of one batch.
 */
@ApplicationScoped
public class BatchStore {
    private static final String CANCELLED_WITH_WORKFLOW = "cancelled with its workflow";

    @Inject
    Transactions transactions;

    @Inject
    JobStore jobs;

    @Inject
    JobEnds jobEnds;

    @Inject
    ChangedBatches changed;

    /**
     * A dependency of a new job: on the job of the same request at {@code index}, or (index -1) on the existing job
     * {@code jobId}; {@code name} is what the child's placeholders call the parent.
     */
    public record Dependency(int index, long jobId, String name, int policy) {
    }

    /** What was created: the batch (0: none) and its jobs' ids, in order. */
    public record Created(long batchId, List<Long> ids) {
    }

    /**
     * Stores a batch ({@code kind} "batch" or "workflow"; none when {@code kind} is null) and its jobs, each blocked
     * until its {@code dependencies} have ended; all or nothing.
     */
    public Created create(String kind, String context, boolean open, JsonObject callbacks, List<JobSpec> specs,
                          List<List<Dependency>> dependencies) throws SQLException {
        long first = jobs.reserve(specs.size());
        return transactions.run(tx -> {
            Connection c = tx.connection();
            long batchId = kind == null ? 0 : Batches.create(c, kind, context, open, callbacks);
            List<Long> ids = insert(tx, first, batchId, specs, dependencies);
            if (batchId > 0 && !open) {
                Batches.close(c, batchId); // an empty batch completes at once
            }
            if (batchId > 0) {
                changed.add(batchId);
            }
            return new Created(batchId, ids);
        });
    }

    /** Adds jobs to an open batch; 409 when it is closed, 404 when there is none. */
    public List<Long> add(long batchId, List<JobSpec> specs) throws SQLException {
        long first = jobs.reserve(specs.size());
        return transactions.run(tx -> {
            Batches.Batch batch = Batches.lock(tx.connection(), batchId).orElseThrow(() ->
                    new InvalidField(404, "id", "batch " + batchId + " not found"));
            if (!batch.open()) {
                throw new InvalidField(409, "id", "batch " + batchId + " is closed: no jobs can be added");
            }
            changed.add(batchId);
            return insert(tx, first, batchId, specs, specs.stream().map(s -> List.<Dependency>of()).toList());
        });
    }

    /** Closes an open batch (it completes now if every job has settled); false when there is none. */
    public boolean close(long batchId) throws SQLException {
        return transactions.run(tx -> {
            if (Batches.lock(tx.connection(), batchId).isEmpty()) {
                return false;
            }
            Batches.close(tx.connection(), batchId);
            changed.add(batchId);
            return true;
        });
    }

    private List<Long> insert(Transactions.Tx tx, long first, long batchId, List<JobSpec> specs,
                              List<List<Dependency>> dependencies) throws SQLException {
        Connection c = tx.connection();
        Map<Long, JobState> existing = lockParents(c, dependencies);
        int[] dependents = new int[specs.size()];
        boolean[] blocked = new boolean[specs.size()];
        for (int i = 0; i < specs.size(); i++) {
            for (Dependency d : dependencies.get(i)) {
                blocked[i] = true;
                if (d.index() >= 0) {
                    dependents[d.index()]++;
                }
            }
        }
        List<Long> ids = jobs.insert(tx, first, specs, new JobStore.Placement(batchId, dependents, blocked))
                .stream().map(Stored::id).toList();
        if (batchId > 0) {
            Batches.added(c, batchId, ids.size());
        }
        try (PreparedStatement edge = c.prepareStatement("INSERT INTO queue_dependency (parent_id, job_id, name,"
                + " policy) VALUES (?, ?, ?, ?)");
             PreparedStatement parent = c.prepareStatement("UPDATE queue_job SET dependents = dependents + 1"
                     + " WHERE id = ?")) {
            for (int i = 0; i < specs.size(); i++) {
                for (Dependency d : dependencies.get(i)) {
                    edge.setLong(1, d.index() >= 0 ? ids.get(d.index()) : d.jobId());
                    edge.setLong(2, ids.get(i));
                    edge.setString(3, d.name());
                    edge.setInt(4, d.policy());
                    edge.addBatch();
                    if (d.index() < 0) {
                        parent.setLong(1, d.jobId());
                        parent.addBatch();
                    }
                }
            }
            edge.executeBatch();
            parent.executeBatch();
        }
        // a job that depends only on existing jobs that have all ended is decided now
        List<JobEnds.End> ends = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            List<Dependency> deps = dependencies.get(i);
            if (!deps.isEmpty() && deps.stream().allMatch(d -> d.index() < 0 && existing.get(d.jobId()).isFinal())) {
                jobEnds.evaluate(tx, ids.get(i)).map(JobEnds.Released::end).ifPresent(ends::add);
            }
        }
        jobEnds.ended(tx, ends);
        return ids;
    }

    /** The existing jobs the new ones depend on, locked (so none ends unseen meanwhile); 400 for one that is not. */
    private static Map<Long, JobState> lockParents(Connection c, List<List<Dependency>> dependencies)
            throws SQLException {
        Set<Long> ids = dependencies.stream().flatMap(List::stream).filter(d -> d.index() < 0)
                .map(Dependency::jobId).collect(Collectors.toSet());
        Map<Long, JobState> states = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return states;
        }
        try (PreparedStatement select = c.prepareStatement("SELECT id, state FROM queue_job WHERE id IN ("
                + ids.stream().map(String::valueOf).collect(Collectors.joining(",")) + ") FOR UPDATE");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                states.put(rs.getLong(1), JobState.ofCode(rs.getInt(2)));
            }
        }
        Set<Long> missing = new HashSet<>(ids);
        missing.removeAll(states.keySet());
        if (!missing.isEmpty()) {
            throw new InvalidField("depends_on", "job " + missing.iterator().next() + " does not exist");
        }
        return states;
    }

    /**
     * Cancels the batch's jobs that have not started (blocked, waiting, scheduled); returns their ends, to be fired
     * as a single job's cancel fires its own.
     */
    public List<JobFinished> cancelPending(long batchId) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            List<JobEnds.End> ends = new ArrayList<>();
            List<JobFinished> finished = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT id, state, dependents, attempt, context"
                    + " FROM queue_job WHERE batch_id = ? AND state IN (" + JobState.BLOCKED.code() + ", "
                    + JobState.WAITING.code() + ", " + JobState.SCHEDULED.code() + ") FOR UPDATE")) {
                select.setLong(1, batchId);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        JobState from = JobState.ofCode(rs.getInt(2));
                        tx.counts().moved(from, from.moveTo(JobState.CANCELLED), 1);
                        ends.add(new JobEnds.End(rs.getLong(1), JobState.CANCELLED, batchId, rs.getInt(3)));
                        finished.add(new JobFinished(rs.getLong(1), rs.getInt(4), rs.getString(5), JobState.CANCELLED,
                                null, CANCELLED_WITH_WORKFLOW));
                    }
                }
            }
            if (ends.isEmpty()) {
                return finished;
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE queue_job SET state = "
                    + JobState.CANCELLED.code() + ", time_completed = LOCALTIMESTAMP(6), error = '"
                    + CANCELLED_WITH_WORKFLOW + "' WHERE id IN (" + ends.stream().map(e -> Long.toString(e.id()))
                    .collect(Collectors.joining(",")) + ")")) {
                update.executeUpdate();
            }
            jobEnds.ended(tx, ends);
            return finished;
        });
    }

    /** One batch as {@code GET /batches/{id}} shows it; empty when there is none. */
    public Optional<JsonObject> view(long batchId) throws SQLException {
        return transactions.run(tx -> {
            Connection c = tx.connection();
            Optional<Batches.Batch> found = Batches.read(c, batchId, "");
            if (found.isEmpty()) {
                return Optional.empty();
            }
            Batches.Batch b = found.get();
            var view = summary(b, Batches.states(c, List.of(batchId)).getOrDefault(batchId, Map.of()))
                    .add("callbacks", deliveries(c, batchId));
            if ("workflow".equals(b.kind())) {
                view.add("graph", graph(c, batchId));
            }
            return Optional.of(view.build());
        });
    }

    /** A page of {@code GET /batches}: summaries, newest first, and the cursor of the next page (null on the last). */
    public record Page(List<JsonObject> batches, Long nextCursor) {
    }

    /** Batches with ids below {@code cursor}, of these contexts (any when empty), newest first. */
    public Page list(String limit, String cursor, Set<String> within) throws SQLException {
        int n = JobFilter.number("limit", limit, JobFilter.DEFAULT_LIMIT, 1, JobFilter.MAX_LIMIT).intValue();
        Long below = cursor == null || cursor.isBlank() ? null
                : JobFilter.number("cursor", cursor, 0, 1, Long.MAX_VALUE);
        return transactions.run(tx -> {
            List<Batches.Batch> rows = Batches.newest(tx.connection(), below, within, n + 1);
            List<Batches.Batch> page = rows.subList(0, Math.min(n, rows.size()));
            List<JsonObject> batches = summaries(tx.connection(), page).stream().map(JsonObjectBuilder::build).toList();
            return new Page(batches, rows.size() > n ? page.get(n - 1).id() : null);
        });
    }

    /** The summaries of these batches (those that still exist), in id order. */
    public List<JsonObject> summaries(Collection<Long> batchIds) throws SQLException {
        return transactions.run(tx -> summaries(tx.connection(), Batches.read(tx.connection(), batchIds)).stream()
                .map(JsonObjectBuilder::build).toList());
    }

    private static List<JsonObjectBuilder> summaries(Connection c, List<Batches.Batch> batches) throws SQLException {
        Map<Long, Map<JobState, Long>> states = Batches.states(c, batches.stream().map(Batches.Batch::id).toList());
        List<JsonObjectBuilder> summaries = new ArrayList<>();
        for (Batches.Batch b : batches) {
            summaries.add(summary(b, states.getOrDefault(b.id(), Map.of())));
        }
        return summaries;
    }

    /** What the view and the list show of a batch: its counters, its jobs per state, progress and times. */
    private static JsonObjectBuilder summary(Batches.Batch b, Map<JobState, Long> counts) {
        var states = Json.createObjectBuilder();
        long ended = 0;
        for (var e : counts.entrySet()) {
            states.add(e.getKey().label(), e.getValue());
            ended += e.getKey().isFinal() ? e.getValue() : 0;
        }
        return Json.createObjectBuilder().add("id", b.id()).add("kind", b.kind()).add("context", b.context())
                .add("open", b.open()).add("total", b.total()).add("settled", b.settled()).add("done", b.done())
                .add("failed", b.failed()).add("states", states)
                .add("progress", b.total() == 0 ? 0 : Math.round(1000.0 * ended / b.total()) / 10.0)
                .add("created_at", time(b.createdAt())).add("closed_at", time(b.closedAt()))
                .add("success_at", time(b.successAt())).add("complete_at", time(b.completeAt()))
                .add("failure_at", time(b.failureAt()));
    }

    private static JsonValue time(String dbTime) {
        return dbTime == null ? JsonValue.NULL : Json.createValue(dbTime.replace(' ', 'T') + "Z");
    }

    private static JsonArrayBuilder deliveries(Connection c, long batchId) throws SQLException {
        JsonArrayBuilder list = Json.createArrayBuilder();
        try (PreparedStatement select = c.prepareStatement("SELECT kind, state, attempts, return_code, error,"
                + " webhook_id FROM queue_callback WHERE batch_id = ? ORDER BY id")) {
            select.setLong(1, batchId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    var d = Json.createObjectBuilder().add("kind", rs.getString(1))
                            .add("state", switch (rs.getInt(2)) {
                                case 0 -> "pending";
                                case 1 -> "sending";
                                case 3 -> "delivered";
                                default -> "given up";
                            }).add("attempts", rs.getInt(3)).add("webhook_id", rs.getString(6));
                    d.add("return_code", rs.getObject(4) == null ? JsonValue.NULL : Json.createValue(rs.getInt(4)));
                    d.add("error", rs.getString(5) == null ? JsonValue.NULL : Json.createValue(rs.getString(5)));
                    list.add(d);
                }
            }
        }
        return list;
    }

    /** The workflow's jobs (nodes) with their names and states, and its dependencies (edges). */
    private static JsonObject graph(Connection c, long batchId) throws SQLException {
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        JsonArrayBuilder edges = Json.createArrayBuilder();
        try (PreparedStatement select = c.prepareStatement("SELECT id, state, payload FROM queue_job"
                + " WHERE batch_id = ? ORDER BY id")) {
            select.setLong(1, batchId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    JsonObject job = Json.parse(rs.getString(3));
                    nodes.add(Json.createObjectBuilder().add("id", rs.getLong(1))
                            .add("name", job.getString("name", Long.toString(rs.getLong(1))))
                            .add("state", JobState.ofCode(rs.getInt(2)).label()));
                }
            }
        }
        try (PreparedStatement select = c.prepareStatement("SELECT d.parent_id, d.job_id, d.policy FROM"
                + " queue_dependency d JOIN queue_job j ON j.id = d.job_id WHERE j.batch_id = ? ORDER BY d.job_id")) {
            select.setLong(1, batchId);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    edges.add(Json.createObjectBuilder().add("from", rs.getLong(1)).add("to", rs.getLong(2))
                            .add("on_failure", switch (rs.getInt(3)) {
                                case JobEnds.SKIP -> "skip";
                                case JobEnds.CONTINUE -> "continue";
                                default -> "fail";
                            }));
                }
            }
        }
        return Json.createObjectBuilder().add("nodes", nodes).add("edges", edges).build();
    }
}
