package io.queueserver.store;

import io.queueserver.core.Claim;
import io.queueserver.core.JobState;
import io.queueserver.core.Json;
import io.queueserver.core.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Ending many attempts in one UPDATE, on the real schema (H2, the embedded database). */
class FinalStatesTest {
    private Connection c;

    @BeforeEach
    void schema() throws Exception {
        String url = "jdbc:h2:mem:final" + System.nanoTime() + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        TestSchema.migrate(url);
        c = DriverManager.getConnection(url, "sa", "");
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private long working(String owner) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_job (state, priority, context, type,"
                + " payload, run_at, time_added, attempt, owner, lease_until) VALUES (1, 500, 'c', 'http', '{}',"
                + " LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), 1, ?, LOCALTIMESTAMP(6))", new String[] {"id"})) {
            insert.setString(1, owner);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                return keys.getLong(1);
            }
        }
    }

    private static Claim claim(long id, int attempt) {
        return new Claim(id, attempt, 1, 0, "c", Json.parse("{}"), "2026-01-01 00:00:00.000000");
    }

    @Test
    void eachRowGetsItsOwnValuesAndSharedOnesAreBoundOnce() throws Exception {
        long a = working("n1");
        long b = working("n1");
        long d = working("n1");
        FinalStates.update(c, List.of(
                new FinalStates.Row(claim(a, 1), JobState.DONE, Outcome.succeeded(200, "out-a").withHeaders("{\"x\":[\"1\"]}")),
                new FinalStates.Row(claim(b, 1), JobState.DONE, Outcome.succeeded(201, "out-b")),
                new FinalStates.Row(claim(d, 1), JobState.FAILED, Outcome.failed(500, null, "HTTP status 500"))), "n1");
        try (PreparedStatement q = c.prepareStatement("SELECT id, state, return_code, output, output_headers, error,"
                + " owner, lease_until, time_completed FROM queue_job ORDER BY id");
             ResultSet rs = q.executeQuery()) {
            Object[][] expected = {
                    {a, 3, 200, "out-a", "{\"x\":[\"1\"]}", null},
                    {b, 3, 201, "out-b", null, null},
                    {d, 99, 500, null, null, "HTTP status 500"}};
            for (Object[] row : expected) {
                rs.next();
                assertEquals(row[0], rs.getLong(1));
                assertEquals(row[1], rs.getInt(2), "state of " + row[0]);
                assertEquals(row[2], rs.getInt(3), "return code of " + row[0]);
                assertEquals(row[3], rs.getString(4), "output of " + row[0]);
                assertEquals(row[4], rs.getString(5), "headers of " + row[0]);
                assertEquals(row[5], rs.getString(6), "error of " + row[0]);
                assertEquals("n1", rs.getString(7), "the owner names the node that ran the last attempt");
                assertNull(rs.getString(8), "lease cleared");
                assertNotNull(rs.getString(9), "completion time set");
            }
        }
    }

    @Test
    void rowsThatAreNotOursAnyMoreAreNotCounted() throws Exception {
        long mine = working("n1");
        long theirs = working("n2");
        long older = working("n1");
        List<FinalStates.Row> rows = List.of(new FinalStates.Row(claim(mine, 1), JobState.DONE, Outcome.succeeded(200, "")),
                new FinalStates.Row(claim(theirs, 1), JobState.DONE, Outcome.succeeded(200, "")),
                new FinalStates.Row(claim(older, 2), JobState.DONE, Outcome.succeeded(201, "")));
        assertEquals(1, FinalStates.update(c, rows, "n1"), "another node's row and another attempt are fenced out");
        try (PreparedStatement q = c.prepareStatement("SELECT state FROM queue_job ORDER BY id");
             ResultSet rs = q.executeQuery()) {
            rs.next();
            assertEquals(3, rs.getInt(1));
            rs.next();
            assertEquals(1, rs.getInt(1), "still working: not n1's");
            rs.next();
            assertEquals(1, rs.getInt(1), "still working: attempt 1 runs, not 2");
        }
    }

    @Test
    void chunksHoldAtMostMaxRowsAndAboutMaxText() {
        List<Integer> indexes = IntStream.range(0, 250).boxed().toList();
        List<List<Integer>> byCount = FinalStates.chunks(indexes, i -> Outcome.succeeded(200, "ok"));
        assertEquals(List.of(100, 100, 50), byCount.stream().map(List::size).toList());

        String big = "x".repeat((int) (FinalStates.MAX_TEXT_CHARS / 3) + 1);
        List<List<Integer>> byText = FinalStates.chunks(indexes.subList(0, 7), i -> Outcome.succeeded(200, big));
        assertEquals(List.of(2, 2, 2, 1), byText.stream().map(List::size).toList());
        List<Integer> all = new ArrayList<>();
        byText.forEach(all::addAll);
        assertEquals(indexes.subList(0, 7), all, "every index once, in order");
    }
}
