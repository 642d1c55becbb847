package io.queueserver.store;

import com.mysql.cj.jdbc.MysqlDataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;

/** The server's own migrations applied to a scratch database, as the server applies them at start. */
public final class TestSchema {
    private TestSchema() {
    }

    /** Migrates the database at {@code url} (H2 or MySQL/MariaDB) and returns the schema version. */
    public static int migrate(String url, String user, String password) throws Exception {
        DataSource dataSource = dataSource(url, user, password);
        Flyway flyway = SchemaMigrator.configure(dataSource, SchemaMigrator.mysql(dataSource), 0);
        flyway.migrate();
        return flyway.info().current().getVersion().getMajor().intValue();
    }

    /** A new in-memory H2 database with the schema, and a connection to it that does not commit by itself. */
    public static java.sql.Connection inMemory(String name) throws Exception {
        String url = "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        migrate(url);
        java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
        c.setAutoCommit(false);
        return c;
    }

    /** A new in-memory H2 database (MySQL mode, as the server's embedded one) with the schema; returns its URL. */
    public static String h2(String name) throws Exception {
        String url = "jdbc:h2:mem:" + name + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        migrate(url);
        return url;
    }

    public static int migrate(String h2Url) throws Exception {
        return migrate(h2Url, "sa", "");
    }

    public static DataSource dataSource(String url, String user, String password) {
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL(url);
            h2.setUser(user);
            h2.setPassword(password);
            return h2;
        }
        MysqlDataSource mysql = new MysqlDataSource();
        mysql.setURL(url);
        mysql.setUser(user);
        mysql.setPassword(password);
        return mysql;
    }
}
