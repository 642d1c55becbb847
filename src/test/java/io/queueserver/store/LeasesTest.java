package io.queueserver.store;

import io.queueserver.core.JobState;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Rescue on the real schema (H2), in one transaction on one connection as the server runs it. */
class LeasesTest {
    private static final long LEASE_MICROS = 12_000_000;

    /**
     * Both nodes' rows are stale, as right after a partition healed. The rescuer was sure when it began; by the time
     * its query got through it no longer is: nothing is rescued. Once it is sure, only the stale node's job goes.
     */
    @Test
    void rescuesNothingWhenTheCallerIsNoLongerConnectedOnceTheJobsAreFound() throws Exception {
        try (Connection c = database("rescue-unsure")) {
            try (Statement s = c.createStatement()) {
                node(s, "n-stale", 30);
                node(s, "n-fresh", 1);
                working(s, 1, "n-stale");
                working(s, 2, "n-fresh");
            }
            Leases leases = leases(c);
            assertEquals(new Leases.Rescued(List.of(), List.of()), leases.rescueDead(LEASE_MICROS, 500, () -> false));
            assertEquals("1:n-stale", row(c, 1), "still its node's, with the same attempt");
            assertEquals(0, count(c, "SELECT COUNT(*) FROM queue_attempt"), "no attempt ended");

            assertEquals(List.of(1L), leases.rescueDead(LEASE_MICROS, 500, () -> true).requeued());
            assertEquals("0:null", row(c, 1));
            assertEquals("1:n-fresh", row(c, 2), "a node that beats within a lease keeps its job");
            assertEquals(1, count(c, "SELECT COUNT(*) FROM queue_attempt WHERE job_id = 1 AND outcome = 'rescued'"));
        }
    }

    private static Leases leases(Connection c) {
        Leases leases = new Leases();
        leases.transactions = new Transactions() {
            @Override
            public <T> T run(Work<T> work) throws SQLException {
                return work.apply(new Tx(null, c, new StateCounts()));
            }
        };
        return leases;
    }

    private static Connection database(String name) throws Exception {
        String url = "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        TestSchema.migrate(url);
        return DriverManager.getConnection(url, "sa", "");
    }

    private static void node(Statement s, String id, int beatSecondsAgo) throws SQLException {
        s.execute("INSERT INTO queue_node (id, started_at, heartbeat_at) VALUES ('" + id + "', LOCALTIMESTAMP(6),"
                + " TIMESTAMPADD(SECOND, -" + beatSecondsAgo + ", LOCALTIMESTAMP(6)))");
    }

    /** A running job whose lease ended 20 s ago. */
    private static void working(Statement s, long id, String owner) throws SQLException {
        s.execute("INSERT INTO queue_job (id, state, priority, context, type, payload, run_at, time_added, attempt,"
                + " owner, lease_until, time_started) VALUES (" + id + ", " + JobState.WORKING.code() + ", 500, 'c',"
                + " 'http', '{}', LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), 1, '" + owner + "',"
                + " TIMESTAMPADD(SECOND, -20, LOCALTIMESTAMP(6)), LOCALTIMESTAMP(6))");
    }

    private static String row(Connection c, long id) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, owner FROM queue_job WHERE id = " + id)) {
            rs.next();
            return rs.getInt(1) + ":" + rs.getString(2);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
