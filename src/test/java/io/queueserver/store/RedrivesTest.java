package io.queueserver.store;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobOverride;
import io.queueserver.core.Json;
import io.queueserver.core.RedriveRequest;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Redrives on the real schema (H2): which failed jobs, how many per batch, exactly once, and their overrides. */
class RedrivesTest {
    private static int databases;
    private static final BinaryOperator<JsonObject> OVERRIDE = (o, job) -> new JobOverride(o).applyTo(job);
    private Connection c;
    private Redrives redrives;
    private long nextId = 1;

    @BeforeEach
    void schema() throws Exception {
        c = TestSchema.inMemory("redrive" + databases++);
        redrives = new Redrives();
        redrives.transactions = new OneConnection(c);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private long job(int state, String context, String error, String command) throws SQLException {
        long id = nextId++;
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_job (id, state, priority, neg_priority,"
                + " context, concurrency_key, type, payload, run_at, time_added, time_completed, attempt, error)"
                + " VALUES (?, ?, 500, -500, ?, ?, 'http', ?, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6),"
                + " TIMESTAMPADD(SECOND, -10, LOCALTIMESTAMP(6)), 1, ?)");
             Statement counts = c.createStatement()) {
            insert.setLong(1, id);
            insert.setInt(2, state);
            insert.setString(3, context);
            insert.setString(4, context);
            insert.setString(5, "{\"command\":" + command + "}");
            insert.setString(6, error);
            insert.executeUpdate();
            counts.executeUpdate("UPDATE queue_count SET n = n + 1 WHERE bucket = 0 AND state = " + state);
        }
        c.commit();
        return id;
    }

    private long failed(String context, String host) throws SQLException {
        return job(99, context, "HTTP status 503", http(host));
    }

    private static String http(String host) {
        return "{\"type\":\"http\",\"url\":\"http://" + host + "/work\",\"headers\":{\"X-Keep\":\"1\",\"X-Old\":\"a\"}}";
    }

    private Redrives.Redrive create(String request) throws SQLException {
        RedriveRequest r = RedriveRequest.parse(Json.parse(request));
        return redrives.create(r, r.override() == null ? null : r.override().fields(), "test");
    }

    private int state(long id) throws SQLException {
        return single("SELECT state FROM queue_job WHERE id = " + id);
    }

    private int single(String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private Redrives.Redrive untilDone(long id) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (redrives.step(id, OVERRIDE).finished()) {
                return redrives.find(id).orElseThrow();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("redrive " + id + " did not finish: " + redrives.find(id));
    }

    private void countsAgree() throws SQLException {
        for (int state : new int[] {0, 99}) {
            assertEquals(single("SELECT COUNT(*) FROM queue_job WHERE state = " + state),
                    single("SELECT SUM(n) FROM queue_count WHERE state = " + state), "queue_count of state " + state);
        }
    }

    @Test
    void theMatchingFailedJobsGoBackOnceEachAtMostAtTheRate() throws Exception {
        List<Long> matching = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            matching.add(failed("a", "a.example"));
        }
        long other = failed("b", "a.example");
        long waiting = job(0, "a", null, http("a.example"));
        Redrives.Redrive r = create("{\"filter\":{\"context\":\"a\"},\"rate\":\"50/s\"}");
        assertEquals(20, r.matched());
        assertEquals(Redrives.RUNNING, r.state());
        long later = failed("a", "a.example");

        long start = System.nanoTime();
        assertEquals(10, redrives.step(r.id(), OVERRIDE).redriven(), "a new bucket holds 0.2 s of tokens: 10 at 50/s");
        int second = redrives.step(r.id(), OVERRIDE).redriven();
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(second <= 1 + 50 * seconds, "then the tokens come at the rate: " + second + " in " + seconds + " s");
        Redrives.Redrive done = untilDone(r.id());
        assertEquals(Redrives.DONE, done.state());
        assertEquals(20, done.redriven());
        assertNotNull(done.finishedAt());
        for (long id : matching) {
            assertEquals(0, state(id), "job " + id + " waits again");
            assertEquals(1, single("SELECT retry_base FROM queue_job WHERE id = " + id), "with fresh attempts");
        }
        assertEquals(99, state(other), "another context's job stays failed");
        assertEquals(99, state(later), "a job that failed after the redrive began is not part of it");
        assertEquals(0, state(waiting));
        assertFalse(redrives.step(r.id(), OVERRIDE).finished(), "a finished redrive does nothing more");
        countsAgree();
    }

    @Test
    void hostErrorAndTimeNarrowTheFilter() throws Exception {
        long x = failed("c", "x.example");
        long y = failed("c", "y.example");
        long timedOut = job(99, "c", "timed out after 5 s", http("x.example"));
        assertEquals(2, create("{\"filter\":{\"host\":\"x.example\"}}").matched());
        assertEquals(1, create("{\"filter\":{\"host\":\"x.example\",\"error\":\"STATUS 503\"}}").matched());
        assertEquals(0, create("{\"filter\":{\"since\":\"2999-01-01T00:00:00Z\"}}").matched());
        Redrives.Redrive none = create("{\"filter\":{\"until\":\"2000-01-01T00:00:00Z\"}}");
        assertEquals(Redrives.DONE, none.state(), "a redrive that matches nothing is done at once");
        Redrives.Redrive r = untilDone(create("{\"filter\":{\"host\":\"x.example\"},\"rate\":\"1000/s\"}").id());
        assertEquals(2, r.redriven());
        assertEquals(0, state(x));
        assertEquals(0, state(timedOut));
        assertEquals(99, state(y));
        countsAgree();
    }

    @Test
    void anOverrideChangesTheRedrivenHttpJobsAndSkipsOthers() throws Exception {
        long moved = failed("d", "old.example");
        long exec = job(99, "d", "exit 1", "{\"type\":\"exec\",\"argv\":[\"/bin/false\"]}");
        Redrives.Redrive r = untilDone(create("{\"filter\":{\"context\":\"d\"},\"rate\":\"100/s\",\"override\":{\"url\":"
                + "\"http://new.example/v2\",\"headers\":{\"x-old\":\"b\",\"X-New\":\"c\"},\"json\":{\"v\":2}}}").id());
        assertEquals(1, r.redriven());
        assertEquals(1, r.skipped());
        assertTrue(r.error().contains("job " + exec) && r.error().contains("http"), r.error());
        assertEquals(99, state(exec));
        JsonObject command;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT payload FROM queue_job WHERE id = " + moved)) {
            rs.next();
            command = Json.parse(rs.getString(1)).getJsonObject("command");
        }
        assertEquals("http://new.example/v2", command.getString("url"));
        assertEquals("{\"X-Keep\":\"1\",\"x-old\":\"b\",\"X-New\":\"c\"}", command.getJsonObject("headers").toString(),
                "headers are added or replaced whatever their case");
        assertEquals("{\"v\":2}", command.getJsonObject("json").toString());
        countsAgree();
    }

    @Test
    void aCancelledRedriveMovesNothingMore() throws Exception {
        for (int i = 0; i < 30; i++) {
            failed("e", "e.example");
        }
        Redrives.Redrive r = create("{\"filter\":{\"context\":\"e\"},\"rate\":\"25/s\"}");
        assertEquals(5, redrives.step(r.id(), OVERRIDE).redriven());
        assertEquals(Redrives.RUNNING, redrives.cancel(r.id()).orElseThrow());
        Thread.sleep(300);
        assertEquals(0, redrives.step(r.id(), OVERRIDE).redriven());
        Redrives.Redrive cancelled = redrives.find(r.id()).orElseThrow();
        assertEquals(Redrives.CANCELLED, cancelled.state());
        assertEquals(5, cancelled.redriven());
        assertEquals(25, single("SELECT COUNT(*) FROM queue_job WHERE state = 99"));
        assertEquals(Redrives.CANCELLED, redrives.cancel(r.id()).orElseThrow(), "a second cancel changes nothing");
        assertTrue(redrives.cancel(999).isEmpty());
    }

    @Test
    void badRequestsNameTheirField() {
        assertEquals("rate", field("{\"rate\":\"fast\"}"));
        assertEquals("rate", field("{\"rate\":\"20000/s\"}"));
        assertEquals("filter.host", field("{\"filter\":{\"host\":\"Not A Host\"}}"));
        assertEquals("filter.since", field("{\"filter\":{\"since\":\"yesterday\"}}"));
        assertEquals("filter.until", field("{\"filter\":{\"since\":\"2030-01-02T00:00:00Z\",\"until\":\"2030-01-01T00:00:00Z\"}}"));
        assertEquals("filter.state", field("{\"filter\":{\"state\":\"done\"}}"));
        assertEquals("filter.context", field("{\"filter\":{\"context\":\"\"}}"));
        assertEquals("override", field("{\"override\":{}}"));
        assertEquals("override.method", field("{\"override\":{\"method\":\"PUT\"}}"));
        assertEquals("override.headers", field("{\"override\":{\"headers\":[1]}}"));
        assertEquals("bogus", field("{\"bogus\":1}"));
        assertEquals("body", field("[]"));
    }

    private static String field(String body) {
        try (var reader = Json.createReader(new java.io.StringReader(body))) {
            RedriveRequest.parse(reader.readValue());
            throw new AssertionError("accepted: " + body);
        } catch (InvalidField e) {
            return e.field();
        }
    }
}
