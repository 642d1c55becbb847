package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.net.URL;

/**
 * The built WAR running in a real Payara Micro ({@link SharedServer}, one for every such class of a failsafe
 * execution), called over HTTP by {@link #api}, with a real local HTTP server ({@link #target}) for the jobs to call.
 * The classes share the server and its database, so each works on jobs of its own (its own context or ids).
 */
@ExtendWith(SharedServer.class)
abstract class DeployedServerTest {
    static RecordingTarget target;

    URL base;
    Api api;

    @BeforeAll
    static void startTarget() throws IOException {
        target = new RecordingTarget();
    }

    @AfterAll
    static void stopTarget() {
        target.close();
    }

    @BeforeEach
    void client() {
        api = new Api(base);
    }

    /** The one number a query with one text parameter answers, e.g. a COUNT(*), read from the server's database. */
    static long number(String sql, String parameter) throws SQLException {
        try (Connection c = database(); java.sql.PreparedStatement query = c.prepareStatement(sql)) {
            query.setString(1, parameter);
            try (java.sql.ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The deployed server's database. */
    static Connection database() throws SQLException {
        return DriverManager.getConnection(System.getProperty("it.db.url"), System.getProperty("it.db.user"),
                System.getProperty("it.db.password"));
    }
}
