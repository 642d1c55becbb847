package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.JobState;
import io.queueserver.core.Outcome;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Ends many attempts in one UPDATE: a value shared by every row is bound once, the others are picked by id with
 * {@code CASE id WHEN … THEN … END}. One statement per batch instead of one per job halves the database's CPU per
 * completed job. The rows must have been fenced (locked and checked) in the same transaction.
 */
final class FinalStates {
    /** Rows per statement, and the text (outputs, headers, errors) one statement may carry. */
    static final int MAX_ROWS = 100;
    static final long MAX_TEXT_CHARS = 1 << 20;

    private FinalStates() {
    }

    /** One attempt to end: the claim, the final state and what the attempt produced. */
    record Row(Claim claim, JobState state, Outcome outcome) {
        long id() {
            return claim.id();
        }
    }

    /** Splits the indexes into statements of at most {@link #MAX_ROWS} rows and about {@link #MAX_TEXT_CHARS}. */
    static List<List<Integer>> chunks(List<Integer> indexes, IntFunction<Outcome> outcome) {
        List<List<Integer>> chunks = new ArrayList<>();
        List<Integer> chunk = new ArrayList<>();
        long text = 0;
        for (int i : indexes) {
            long size = textSize(outcome.apply(i));
            if (!chunk.isEmpty() && (chunk.size() == MAX_ROWS || text + size > MAX_TEXT_CHARS)) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
                text = 0;
            }
            chunk.add(i);
            text += size;
        }
        if (!chunk.isEmpty()) {
            chunks.add(chunk);
        }
        return chunks;
    }

    private static long textSize(Outcome o) {
        return Math.min(length(o.output()), Texts.MAX_OUTPUT_CHARS) + length(o.headers()) + length(o.error());
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    /**
     * Ends the attempts whose row is still working, owned by {@code owner}, at that attempt; returns how many rows
     * that was. The owner stays on the row: it names the node that ran the last attempt.
     */
    static int update(Connection c, List<Row> rows, String owner) throws SQLException {
        StringBuilder sql = new StringBuilder("UPDATE queue_job SET lease_until = NULL, time_completed = LOCALTIMESTAMP(6)");
        List<Object> values = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        column(sql, values, types, rows, "state", Types.SMALLINT, r -> r.state().code());
        column(sql, values, types, rows, "return_code", Types.INTEGER, r -> r.outcome().returnCode());
        column(sql, values, types, rows, "output", Types.VARCHAR, r -> Texts.output(r.outcome().output()));
        column(sql, values, types, rows, "output_headers", Types.VARCHAR, r -> r.outcome().headers());
        column(sql, values, types, rows, "error", Types.VARCHAR, r -> Texts.error(r.outcome().error()));
        sql.append(" WHERE id IN (").append(rows.stream().map(r -> Long.toString(r.id()))
                .collect(Collectors.joining(","))).append(") AND state = ").append(JobState.WORKING.code())
                .append(" AND owner = ?");
        values.add(owner);
        types.add(Types.VARCHAR);
        sql.append(" AND ");
        assign(sql, values, types, rows, "attempt", Types.INTEGER, r -> r.claim().attempt());
        try (PreparedStatement update = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < values.size(); i++) {
                update.setObject(i + 1, values.get(i), types.get(i));
            }
            return update.executeUpdate();
        }
    }

    private static void column(StringBuilder sql, List<Object> values, List<Integer> types, List<Row> rows,
                               String name, int type, Function<Row, Object> value) {
        sql.append(", ");
        assign(sql, values, types, rows, name, type, value);
    }

    private static void assign(StringBuilder sql, List<Object> values, List<Integer> types, List<Row> rows,
                               String name, int type, Function<Row, Object> value) {
        List<Object> column = rows.stream().map(value).toList();
        if (column.stream().allMatch(v -> Objects.equals(column.get(0), v))) {
            sql.append(name).append(" = ?");
            values.add(column.get(0));
            types.add(type);
            return;
        }
        sql.append(name).append(" = CASE id");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(" WHEN ").append(rows.get(i).id()).append(" THEN ?");
            values.add(column.get(i));
            types.add(type);
        }
        sql.append(" END");
    }
}
