package io.queueserver.store;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Logger;

/**
 * Brings the schema up to date at start-up with Flyway, before anything else touches the tables: the scripts in
 * {@code sql/} run everywhere, those in {@code sql/mysql/} only on MySQL/MariaDB. Nodes starting together serialize
 * on Flyway's database lock. A database created by the server's earlier migrator (table
 * {@code queue_schema_version}) is taken over at the version it reached. A failure stops the deployment.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrator {
    private static final Logger LOG = Logger.getLogger(SchemaMigrator.class.getName());
    static final String HISTORY = "queue_flyway_history";

    @Resource(lookup = "jdbc/queue")
    DataSource dataSource;

    private volatile int version;
    private volatile int expected;

    @PostConstruct
    void migrate() {
        try {
            boolean mysql = mysql(dataSource);
            Flyway flyway = configure(dataSource, mysql, earlierVersion(dataSource));
            flyway.migrate();
            MigrationInfo current = flyway.info().current();
            version = current == null ? 0 : current.getVersion().getMajor().intValue();
            MigrationInfo[] all = flyway.info().all();
            expected = all.length == 0 ? 0 : all[all.length - 1].getVersion().getMajor().intValue();
            LOG.info(() -> "schema at version " + version);
        } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException("schema migration failed: " + e.getMessage(), e);
        }
    }

    /** Also used by tests to build the real schema on a scratch database. */
    public static Flyway configure(DataSource dataSource, boolean mysql, int baseline) {
        var config = Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(dataSource)
                .table(HISTORY)
                .locations(mysql ? new String[] {"classpath:sql", "classpath:sql/mysql"} : new String[] {"classpath:sql"})
                .validateMigrationNaming(true);
        if (baseline > 0) {
            config = config.baselineOnMigrate(true).baselineVersion(MigrationVersion.fromVersion(Integer.toString(baseline)));
        }
        return config.load();
    }

    public static boolean mysql(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase();
            return product.contains("mysql") || product.contains("mariadb");
        }
    }

    /** The version the migrator of server versions before Flyway reached, or 0. */
    private static int earlierVersion(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            DatabaseMetaData meta = c.getMetaData();
            if (exists(meta, c.getCatalog(), HISTORY) || !exists(meta, c.getCatalog(), "queue_schema_version")) {
                return 0;
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT MAX(version) FROM queue_schema_version")) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** In this database only (MySQL's catalog); H2 may report names in either case. */
    private static boolean exists(DatabaseMetaData meta, String catalog, String table) throws SQLException {
        for (String name : new String[] {table, table.toUpperCase()}) {
            try (ResultSet rs = meta.getTables(catalog, null, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    public int version() {
        return version;
    }

    /** The newest script shipped with this version of the server. */
    public int expectedVersion() {
        return expected;
    }
}
