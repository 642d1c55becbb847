package io.queueserver.ops;

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
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Applies the versioned scripts of {@code sql/} (shipped in the WAR) at start-up, in order, each once, on the
 * embedded database and on MySQL/MariaDB alike. Applied versions are recorded with a checksum; an edited applied
 * script stops the start. Nodes starting together serialize on a database lock (MySQL/MariaDB GET_LOCK).
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrator {
    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());
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
                apply(c);
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

    private void apply(Connection c) throws SQLException, IOException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS queue_schema_version (version INT NOT NULL, description VARCHAR(200)"
                    + " NOT NULL, checksum VARCHAR(64) NOT NULL, applied_at DATETIME(6) NOT NULL, PRIMARY KEY (version))");
        }
        Map<Integer, String> applied = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, checksum FROM queue_schema_version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        for (MigrationScript script : MigrationScript.all()) {
            String text = read(script);
            String checksum = sha256(text);
            String known = applied.get(script.version());
            if (known != null) {
                if (!known.equals(checksum)) {
                    throw new IllegalStateException("sql/" + script.name() + " was changed after it was applied;"
                            + " add a new version instead of editing an applied one");
                }
            } else {
                run(c, script, text, checksum);
            }
            version = script.version();
        }
        LOG.info(() -> "database schema at version " + version);
    }

    private static void run(Connection c, MigrationScript script, String text, String checksum) throws SQLException {
        LOG.info(() -> "applying sql/" + script.name());
        for (String statement : statements(text)) {
            try (Statement s = c.createStatement()) {
                s.execute(statement);
            }
        }
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_schema_version"
                + " (version, description, checksum, applied_at) VALUES (?, ?, ?, LOCALTIMESTAMP(6))")) {
            insert.setInt(1, script.version());
            insert.setString(2, script.description());
            insert.setString(3, checksum);
            insert.executeUpdate();
        }
    }

    static List<String> statements(String script) {
        StringBuilder clean = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                clean.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(clean.toString().split(";\\s*(\n|$)"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static void lock(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT GET_LOCK('" + LOCK + "', 300)")) {
            if (!rs.next() || rs.getInt(1) != 1) {
                throw new SQLException("could not take the schema migration lock within 300 s");
            }
        }
    }

    private static String read(MigrationScript script) throws IOException {
        try (InputStream in = SchemaMigrator.class.getClassLoader().getResourceAsStream("sql/" + script.name())) {
            if (in == null) {
                throw new IOException("sql/" + script.name() + " is missing from the application");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
