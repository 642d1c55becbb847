package io.queueserver.store;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings the database schema up to date at start-up ({@link Schema}), before the dispatcher starts. Nodes starting
 * together serialize on a database lock (MySQL/MariaDB GET_LOCK); a failure stops the deployment.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrator {
    private static final String LOCK = "queue_server_schema";

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    private volatile int version;

    @PostConstruct
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void migrate() {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            boolean mysql = c.getMetaData().getDatabaseProductName().toLowerCase().contains("mysql")
                    || c.getMetaData().getDatabaseProductName().toLowerCase().contains("mariadb");
            if (mysql) {
                lock(c);
            }
            try {
                version = Schema.migrate(c);
            } finally {
                if (mysql) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT RELEASE_LOCK('" + LOCK + "')");
                    }
                }
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("schema migration failed: " + e.getMessage(), e);
        }
    }

    public int version() {
        return version;
    }

    /** The newest script shipped with this version of the server. */
    public int expectedVersion() {
        try {
            var scripts = MigrationScript.all();
            return scripts.isEmpty() ? 0 : scripts.get(scripts.size() - 1).version();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void lock(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT GET_LOCK('" + LOCK + "', 300)")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new SQLException("could not take the schema migration lock within 300 s");
            }
        }
    }

}
