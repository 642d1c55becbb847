package io.queueserver.store;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The callback outbox on the real schema (H2): a delivery's lease covers its timeout, and its result is fenced by attempt. */
class CallbackStoreTest {
    private Connection c;
    private final CallbackStore store = new CallbackStore();

    @BeforeEach
    void schema(TestInfo test) throws Exception {
        c = TestSchema.inMemory("callbacks_" + test.getTestMethod().orElseThrow().getName());
        store.transactions = new OneConnection(c);
    }

    @AfterEach
    void close() throws SQLException {
        c.close();
    }

    private void pending(long id, String command) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO queue_callback (id, job_id, kind, state, webhook_id, command, body, next_at,"
                    + " time_added) VALUES (" + id + ", 7, 'finished', " + CallbackStore.PENDING + ", 'wh-" + id + "', '"
                    + command + "', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))");
        }
        c.commit();
    }

    private long leaseSecondsLeft(long id) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT TIMESTAMPDIFF(SECOND,"
                + " LOCALTIMESTAMP(6), lease_until) FROM queue_callback WHERE id = " + id)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aDeliverysLeaseCoversItsOwnTimeoutAndAMargin() throws Exception {
        pending(1, "{\"url\":\"http://127.0.0.1:1/slow\",\"timeout\":600}");
        pending(2, "{\"url\":\"http://127.0.0.1:1/plain\"}");

        List<Delivery> claimed = store.claim(10, "node-a", 30);

        assertEquals(2, claimed.size());
        long slow = leaseSecondsLeft(1);
        assertTrue(slow >= 600 + CallbackStore.LEASE_MARGIN_SECONDS - 2 && slow <= 600 + CallbackStore.LEASE_MARGIN_SECONDS,
                "a 600 s delivery is leased for its timeout and the margin, not a fixed time: " + slow + " s");
        long plain = leaseSecondsLeft(2);
        assertTrue(plain >= 30 + CallbackStore.LEASE_MARGIN_SECONDS - 2 && plain <= 30 + CallbackStore.LEASE_MARGIN_SECONDS,
                "a delivery without a timeout is leased for the default timeout and the margin: " + plain + " s");
        assertEquals(0, store.rescueExpired(), "a delivery within its lease is not rescued");
    }

    @Test
    void aLateResultOfAnEarlierAttemptChangesNothing() throws Exception {
        pending(1, "{\"url\":\"http://127.0.0.1:1/x\",\"timeout\":5}");
        Delivery first = store.claim(1, "node-a", 30).get(0);
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE queue_callback SET lease_until = TIMESTAMPADD(SECOND, -1, LOCALTIMESTAMP(6))");
        }
        c.commit();
        assertEquals(1, store.rescueExpired());
        // the same node claims it again: only the attempt tells the two deliveries apart
        Delivery second = store.claim(1, "node-a", 30).get(0);
        assertEquals(first.attempt() + 1, second.attempt());

        store.record(first, "node-a", true, 200, null, 0);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state, owner, return_code"
                + " FROM queue_callback WHERE id = 1")) {
            rs.next();
            assertEquals(CallbackStore.SENDING, rs.getInt(1), "the first attempt's late result is fenced out");
            assertEquals("node-a", rs.getString(2));
            assertEquals(0, rs.getInt(3));
        }

        store.record(second, "node-a", false, 500, "answered 500", -1);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT state, return_code, error"
                + " FROM queue_callback WHERE id = 1")) {
            rs.next();
            assertEquals(CallbackStore.GIVEN_UP, rs.getInt(1), "the running attempt's result is recorded");
            assertEquals(500, rs.getInt(2));
            assertEquals("answered 500", rs.getString(3));
        }
    }
}
