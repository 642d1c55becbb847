package io.queueserver.it;

import io.queueserver.store.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
