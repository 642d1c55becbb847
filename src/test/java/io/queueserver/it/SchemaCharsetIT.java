package io.queueserver.it;

import io.queueserver.store.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On a MariaDB database whose default character set is latin1, the migrated tables still store any text. */
class SchemaCharsetIT {
    static ScratchDatabase database;

    @BeforeAll
    static void schema() throws Exception {
        database = ScratchDatabase.create("latin1", "latin1");
        TestSchema.migrate(database.url(), System.getProperty("it.db.user"), System.getProperty("it.db.password"));
    }

    @AfterAll
    static void drop() throws Exception {
        database.drop();
    }

    @Test
    void outputOutsideLatin1IsStored() throws Exception {
        String text = "fertig ✓ 完了 🎉";
        try (Connection c = database.connect()) {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_job (id, state, priority, context,"
                    + " type, payload, run_at, time_added, output, error) VALUES (1, 3, 500, ?, 'http', '{}',"
                    + " LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), ?, ?)")) {
                insert.setString(1, "ctx ✓");
                insert.setString(2, text);
                insert.setString(3, text);
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT output, error, context FROM queue_job WHERE id = 1");
                 ResultSet rs = select.executeQuery()) {
                rs.next();
                assertEquals(text, rs.getString(1));
                assertEquals(text, rs.getString(2));
                assertEquals("ctx ✓", rs.getString(3));
            }
        }
    }
    /** The schedule tables too, and schedule names compare exactly: Report and report are two schedules. */
    @Test
    void schedulesStoreAnyTextUnderExactNames() throws Exception {
        String job = "{\"context\":\"Berichte ✓\",\"note\":\"完了 🎉\"}";
        try (Connection c = database.connect()) {
            for (String name : new String[] {"Report", "report"}) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_schedule (name, cron, timezone,"
                        + " job, context, overlap, missed, missed_cap, created_at, updated_at) VALUES (?, '@daily', 'UTC',"
                        + " ?, 'Berichte ✓', 'allow', 'run_once', 100, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6))")) {
                    insert.setString(1, name);
                    insert.setString(2, job);
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_schedule_run (schedule_name, fire_at,"
                    + " manual, outcome, detail, fired_at) VALUES ('report', LOCALTIMESTAMP(6), 0, 'skipped', ?,"
                    + " LOCALTIMESTAMP(6))")) {
                insert.setString(1, "übersprungen 🎉");
                insert.executeUpdate();
            }
            try (PreparedStatement select = c.prepareStatement("SELECT s.job, r.detail FROM queue_schedule s"
                    + " JOIN queue_schedule_run r ON r.schedule_name = s.name WHERE s.name = 'report'");
                 ResultSet rs = select.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(job, rs.getString(1));
                assertEquals("übersprungen 🎉", rs.getString(2));
                assertFalse(rs.next(), "the run of 'report' is not one of 'Report'");
            }
        }
    }
}
