package io.queueserver.store;

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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The versioned scripts of {@code sql/} (shipped in the WAR), applied in order, each once, on the embedded
 * database and on MySQL/MariaDB alike. Applied versions are recorded with a checksum in
 * {@code queue_schema_version}; an applied script that was edited stops the start.
 */
public final class Schema {
    private static final Logger LOG = Logger.getLogger(Schema.class.getName());

    private Schema() {
    }

    public static int migrate(Connection c) throws SQLException, IOException {
        int version = 0;
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
        int current = version;
        LOG.info(() -> "database schema at version " + current);
        return version;
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
        return Arrays.stream(clean.toString().split(";\\s*(\n|$)"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }




    private static String read(MigrationScript script) throws IOException {
        try (InputStream in = Schema.class.getClassLoader().getResourceAsStream("sql/" + script.name())) {
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
