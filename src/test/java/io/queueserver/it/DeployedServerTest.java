package io.queueserver.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
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
 * The built WAR deployed to a real Payara Micro (Arquillian), called over HTTP by {@link #api}, with a real local
 * HTTP server ({@link #target}) for the jobs to call.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class DeployedServerTest {
    static RecordingTarget target;

    @ArquillianResource
    URL base;
    Api api;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer();
    }

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
