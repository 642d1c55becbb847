import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads of a large job table (bench/run --big-table N fills it with N finished jobs): the status counts, the summary
 * and the dashboard's list with each kind of filter, median and p95 of 20 calls after 3 unmeasured ones each. Beside
 * them, what one status call cost when counts scanned the table: {@code SELECT state, COUNT(*) … GROUP BY state}.
 */
final class BigTableCheck {
    private static final int CALLS = 20;

    private BigTableCheck() {
    }

    static void run() throws Exception {
        String url = Options.urls().get(0);
        Map<String, String[]> reads = new LinkedHashMap<>();
        reads.put("status", new String[] {"GET", "/jobs/status"});
        reads.put("summary", new String[] {"POST", "/jobs/get/summary", "{\"count\":10}"});
        reads.put("list_all", new String[] {"GET", "/jobs?limit=50"});
        reads.put("list_failed", new String[] {"GET", "/jobs?state=failed&limit=50"});
        reads.put("list_waiting", new String[] {"GET", "/jobs?state=waiting&limit=50"});
        reads.put("list_context", new String[] {"GET", "/jobs?context=ctx-7&limit=50"});
        reads.put("list_failed_in_context", new String[] {"GET", "/jobs?state=failed&context=ctx-7&limit=50"});
        reads.put("search_no_match", new String[] {"GET", "/jobs?q=nothing-matches&limit=50"});
        try (KeepAliveClient http = new KeepAliveClient(url)) {
            for (var read : reads.entrySet()) {
                String[] r = read.getValue();
                byte[] request = KeepAliveClient.request(r[0], url, r[1], r.length > 2 ? r[2] : "");
                long[] nanos = new long[CALLS];
                for (int i = -3; i < CALLS; i++) {
                    long t0 = System.nanoTime();
                    int status = http.exchange(request, new ByteArrayOutputStream());
                    if (status != 200) {
                        throw new IllegalStateException(r[1] + " answered " + status);
                    }
                    if (i >= 0) {
                        nanos[i] = System.nanoTime() - t0;
                    }
                }
                report(read.getKey(), nanos);
            }
        }
        try (Connection c = DriverManager.getConnection(Options.jdbc()); Statement s = c.createStatement()) {
            long[] nanos = new long[5];
            for (int i = 0; i < nanos.length; i++) {
                long t0 = System.nanoTime();
                try (ResultSet rs = s.executeQuery("SELECT state, COUNT(*) FROM queue_job GROUP BY state")) {
                    while (rs.next()) {
                        rs.getLong(2);
                    }
                }
                nanos[i] = System.nanoTime() - t0;
            }
            report("count_scan", nanos);
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM queue_job")) {
                rs.next();
                Options.result("bigtable.rows", rs.getLong(1));
            }
        }
    }

    private static void report(String name, long[] nanos) {
        Options.result("bigtable." + name + "_p50_ms", Stats.percentile(nanos, 50) / 1e6);
        Options.result("bigtable." + name + "_p95_ms", Stats.percentile(nanos, 95) / 1e6);
    }
}
