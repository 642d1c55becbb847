import io.queueserver.core.JobState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Raw JDBC ceilings on the real schema (sql/*.sql, sql/mysql/*.sql), same database server, no application in between: single-row
 * INSERTs, 1000-row INSERT transactions, and claim + done of 50 jobs per transaction. State codes from
 * {@link JobState}.
 */
final class JdbcCeilings {
    private JdbcCeilings() {
    }

    /** The INSERT of a waiting job; with the claim-order column (sql/V011) it is set as the server sets it. */
    static String insert(boolean negPriority) {
        return "INSERT INTO queue_job (state, priority, context, type, payload, unique_key, run_at, time_added,"
                + " max_attempts" + (negPriority ? ", neg_priority" : "") + ") VALUES (" + JobState.WAITING.code()
                + ", ?, ?, 'http', ?, NULL, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), 1" + (negPriority ? ", -500" : "") + ")";
    }

    static final String PAYLOAD = "{\"priority\":500,\"context\":\"raw\",\"command\":{\"type\":\"http\","
            + "\"url\":\"http://127.0.0.1:8399/t\",\"timeout\":5}}";

    static void run() throws Exception {
        String url = Options.jdbc();
        double seconds = Options.doubleArg("seconds", 5);
        boolean negPriority;
        boolean keyed;
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (Path script : scripts(Path.of(Options.arg("sql", "sql")))) {
                String text = Files.readAllLines(script).stream().filter(l -> !l.trim().startsWith("--"))
                        .collect(Collectors.joining("\n"));
                for (String stmt : text.split(";")) {
                    if (!stmt.isBlank()) {
                        s.execute(stmt);
                    }
                }
            }
            negPriority = hasColumn(c, "queue_job", "neg_priority");
            keyed = hasColumn(c, "queue_job", "concurrency_key");
        }
        String insertSql = insert(negPriority);
        // the server's claim of one key's jobs: its claim index (state, concurrency_key, ...) since sql/V014, the
        // raw jobs' key being the default ''; (state, neg_priority, run_at, id) since sql/V011; priority then id before
        String claimWhere = keyed ? " AND concurrency_key = ''" : "";
        String claimOrder = negPriority ? "neg_priority, run_at, id" : "priority DESC, id";
        // 1. single-row autocommit INSERT, 16 connections
        double insert = timedLoop("ceiling.insert", url, 16, seconds, c -> {
            try (PreparedStatement p = c.prepareStatement(insertSql)) {
                bindRaw(p);
                p.executeUpdate();
            }
            return 1;
        });
        Options.result("ceiling.insert16_per_s", insert);
        // 2. 1000-row INSERT transactions (multi-row, rewriteBatchedStatements), 4 connections
        double batch = timedLoop("ceiling.batch", url, 4, seconds, c -> {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(insertSql)) {
                for (int i = 0; i < 1000; i++) {
                    bindRaw(p);
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.commit();
            return 1000;
        });
        Options.result("ceiling.batch1000_per_s", batch);
        // 3. claim + done, 50 jobs per transaction, 4 connections, on a fresh backlog
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("TRUNCATE TABLE queue_job");
        }
        int backlog = Options.intArg("backlog", 100_000);
        timedLoop("ceiling.preload", url, 4, 600, c -> {
            c.setAutoCommit(false);
            int n;
            synchronized (JdbcCeilings.class) {
                n = Math.min(1000, backlog - preloaded);
                preloaded += Math.max(0, n);
            }
            if (n <= 0) {
                return -1;
            }
            try (PreparedStatement p = c.prepareStatement(insertSql)) {
                for (int i = 0; i < n; i++) {
                    bindRaw(p);
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.commit();
            return n;
        });
        double claim = timedLoop("ceiling.claim", url, 4, seconds, c -> {
            c.setAutoCommit(false);
            List<Long> ids = new ArrayList<>(50);
            try (PreparedStatement q = c.prepareStatement("SELECT id, attempt, max_attempts, context, payload"
                    + " FROM queue_job WHERE state = " + JobState.WAITING.code() + claimWhere + " ORDER BY " + claimOrder
                    + " LIMIT 50 FOR UPDATE SKIP LOCKED");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    rs.getString(5);
                }
            }
            if (ids.isEmpty()) {
                c.commit();
                return -1;
            }
            String in = ids.stream().map(String::valueOf).collect(Collectors.joining(","));
            try (PreparedStatement u = c.prepareStatement("UPDATE queue_job SET state = " + JobState.WORKING.code()
                    + ", owner = ?, attempt = attempt + 1,"
                    + " lease_until = TIMESTAMPADD(MICROSECOND, 30000000, LOCALTIMESTAMP(6)), time_started = LOCALTIMESTAMP(6)"
                    + " WHERE id IN (" + in + ")")) {
                u.setString(1, "raw-node");
                u.executeUpdate();
            }
            c.commit();
            try (PreparedStatement u = c.prepareStatement("UPDATE queue_job SET state = " + JobState.DONE.code()
                    + ", return_code = 200, output = 'ok',"
                    + " owner = NULL, lease_until = NULL, time_completed = LOCALTIMESTAMP(6)"
                    + " WHERE id IN (" + in + ") AND owner = ? AND state = " + JobState.WORKING.code())) {
                u.setString(1, "raw-node");
                u.executeUpdate();
            }
            c.commit();
            return ids.size();
        });
        Options.result("ceiling.claimdone50_per_s", claim);
    }

    static int preloaded;

    /** The migration scripts as the server runs them on MariaDB: sql/ and sql/mysql/, in version order. */
    static List<Path> scripts(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path d : List.of(dir, dir.resolve("mysql"))) {
            if (Files.isDirectory(d)) {
                try (var files = Files.list(d)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".sql")).forEach(all::add);
                }
            }
        }
        all.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return all;
    }

    static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM information_schema.columns"
                + " WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?")) {
            q.setString(1, table);
            q.setString(2, column);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        }
    }

    static void bindRaw(PreparedStatement p) throws SQLException {
        p.setInt(1, 500);
        p.setString(2, "raw");
        p.setString(3, PAYLOAD);
    }

    interface Work {
        /** Rows done, or -1 when there is nothing left. */
        int run(Connection c) throws SQLException;
    }

    static double timedLoop(String phase, String url, int threads, double seconds, Work work) throws Exception {
        LongAdder rows = new LongAdder();
        LongAdder retries = new LongAdder();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicLong lastEnd = new AtomicLong(start);
        List<Thread> ts = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        CpuMeter cpu = CpuMeter.start();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url)) {
                    while (System.nanoTime() < end) {
                        int n;
                        try {
                            n = work.run(c);
                        } catch (SQLTransactionRollbackException e) {
                            // a deadlock or lock wait timeout: the database rolled back, do it again
                            retries.increment();
                            if (!c.getAutoCommit()) {
                                c.rollback();
                            }
                            continue;
                        }
                        if (n < 0) {
                            break;
                        }
                        rows.add(n);
                        lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                    }
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            t.join();
        }
        if (!phase.endsWith("preload")) {
            cpu.stop(phase);
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        if (retries.sum() > 0) {
            System.err.println(phase + ": " + retries.sum() + " transactions rolled back by the database and redone");
        }
        return rows.sum() / ((lastEnd.get() - start) / 1e9);
    }
}
