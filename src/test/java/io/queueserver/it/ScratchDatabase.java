package io.queueserver.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A database of its own for one test class on the test MariaDB server ({@code it.db.*}), named after the run's
 * test database ({@code queue_it_cluster}, …) so parallel runs with another {@code -Dit.db.name} never meet.
 */
final class ScratchDatabase {
    final String name;
    final String server = System.getProperty("it.db.url").replaceAll("/[^/]*$", "/");

    private ScratchDatabase(String suffix) {
        name = System.getProperty("it.db.name", "queue_it") + "_" + suffix;
    }

    /** Drops any leftover of an earlier run and creates it empty. */
    static ScratchDatabase create(String suffix) throws SQLException {
        return create(suffix, "utf8mb4");
    }

    /** One whose default character set is {@code charset}, as some MySQL/MariaDB servers are configured. */
    static ScratchDatabase create(String suffix, String charset) throws SQLException {
        ScratchDatabase db = new ScratchDatabase(suffix);
        db.drop();
        db.admin("CREATE DATABASE " + db.name + " CHARACTER SET " + charset);
        return db;
    }

    public String url() {
        return server + name;
    }

    int port() {
        return Integer.parseInt(server.replaceAll(".*:(\\d+)/$", "$1"));
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), System.getProperty("it.db.user"), System.getProperty("it.db.password"));
    }

    /** Reads the first row of a query's answer. */
    interface Reader<T> {
        T read(ResultSet row) throws SQLException;
    }

    <T> T query(String sql, Reader<T> reader) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row: " + sql);
            }
            return reader.read(rs);
        }
    }

    /** Closes what the test class started on this database (those it started), then drops the database. */
    void dropAfter(AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
        drop();
    }

    void drop() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name);
    }

    private void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server, System.getProperty("it.db.user"),
                System.getProperty("it.db.password")); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
