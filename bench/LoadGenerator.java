import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Load generator and report printer of the Queue Server benchmark (bench/run). Not part of the WAR or the tests.
 * Every measuring mode prints lines {@code RESULT <metric> <value>} that bench/run collects; {@code report} turns the
 * collected lines into the tables. Runs with the JDK only (plus the MySQL driver on the class path).
 *
 * <pre>
 * submits  --urls http://127.0.0.1:8380[,…] --conns 64 --seconds 5 --warmup 1
 * batch    --urls … --size 1000 --conns 4 --seconds 5 --warmup 1
 * trivial  --urls … --jdbc URL --jobs 10000 --timeout 30 --target-port 8390
 * latency  --urls … --jdbc URL --rate 100 --seconds 8 --target-port 8390
 * long     --urls … --jdbc URL --jobs 10000 --hold 30 --target-port 8391
 * ceilings --jdbc URL --sql sql --seconds 5
 * report   --results FILE
 * </pre>
 * Every measuring mode also takes {@code --server-pids p1,p2 --db-pid p} and then reports the CPU each used.
 */
public class LoadGenerator {
    static final Map<String, String> ARGS = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        for (int i = 1; i + 1 < args.length; i += 2) {
            ARGS.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String mode = args.length > 0 ? args[0] : "help";
        switch (mode) {
            case "submits" -> submits();
            case "batch" -> batch();
            case "trivial" -> trivial();
            case "latency" -> latency();
            case "long" -> longJobs();
            case "ceilings" -> ceilings();
            case "report" -> Report.print(Path.of(arg("results", "target/bench/results.txt")));
            default -> {
                System.err.println("usage: LoadGenerator submits|batch|trivial|latency|long|ceilings|report [--option value]…");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    static String arg(String name, String def) {
        return ARGS.getOrDefault(name, def);
    }

    static int intArg(String name, int def) {
        return Integer.parseInt(arg(name, Integer.toString(def)));
    }

    static void result(String metric, double value) {
        System.out.println("RESULT " + metric + " " + String.format(Locale.ROOT, "%.3f", value));
    }

    static List<String> urls() {
        return Arrays.asList(arg("urls", "http://127.0.0.1:8380").split(","));
    }

    // ------------------------------------------------------------------------------------------------ submits

    static byte[] request(String method, String url, String path, String body) {
        String hostPort = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + hostPort + "\r\nContent-Type: application/json\r\n"
                + "Accept: application/json\r\nContent-Length: " + b.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }

    /** A job that is accepted and stored but does not run during the measurement (it is due in a day). */
    static final String PARKED_JOB = "{\"priority\":500,\"context\":\"bench-submit\",\"delay\":86400,"
            + "\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8399/never\",\"timeout\":5}}";

    static void submits() throws Exception {
        int conns = intArg("conns", 64);
        byte[] perUrl[] = urls().stream().map(u -> request("POST", u, "/jobs/add", PARKED_JOB)).toArray(byte[][]::new);
        Closed result = closedLoop("submits", conns, perUrl, 200, 1);
        result("submits.per_s", result.rate);
        result("submits.req_p50_ms", result.p(50));
        result("submits.req_p99_ms", result.p(99));
        result("submits.errors", result.errors);
    }

    static void batch() throws Exception {
        int size = intArg("size", 1000);
        int conns = intArg("conns", 4);
        String body = Collections.nCopies(size, PARKED_JOB.replace("bench-submit", "bench-batch"))
                .stream().collect(Collectors.joining(",", "[", "]"));
        byte[] perUrl[] = urls().stream().map(u -> request("POST", u, "/jobs", body)).toArray(byte[][]::new);
        Closed result = closedLoop("batch", conns, perUrl, 201, size);
        result("batch.jobs_per_s", result.rate);
        result("batch.req_p50_ms", result.p(50));
        result("batch.errors", result.errors);
    }

    record Closed(double rate, long errors, long[] latenciesMicros) {
        double p(double pct) {
            return percentile(latenciesMicros, pct) / 1000.0;
        }
    }

    /** {@code conns} connections, each sending its request again as soon as the answer is in; jobs per second. */
    static Closed closedLoop(String phase, int conns, byte[][] requests, int okStatus, int jobsPerRequest)
            throws Exception {
        List<String> urls = urls();
        double warmup = Double.parseDouble(arg("warmup", "1"));
        double seconds = Double.parseDouble(arg("seconds", "5"));
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (seconds * 1e9);
        LongAdder ok = new LongAdder();
        LongAdder errors = new LongAdder();
        ConcurrentLinkedQueue<long[]> lat = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(conns);
        Cpu cpu = null;
        for (int c = 0; c < conns; c++) {
            int which = c % urls.size();
            Thread t = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try (Http http = new Http(urls.get(which))) {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= measureTo) {
                            break;
                        }
                        int status;
                        try {
                            status = http.exchange(requests[which], null);
                        } catch (IOException e) {
                            status = -1;
                            http.close();
                        }
                        long t1 = System.nanoTime();
                        // counted when answered inside the window (a slow batch started in the warm-up counts)
                        if (t1 >= measureFrom && t1 <= measureTo) {
                            if (status == okStatus) {
                                ok.add(jobsPerRequest);
                                if (n < mine.length) {
                                    mine[n++] = (t1 - t0) / 1000;
                                }
                            } else {
                                errors.increment();
                            }
                        }
                    }
                } finally {
                    lat.add(Arrays.copyOf(mine, n));
                    done.countDown();
                }
            }, phase + "-" + c);
            t.setDaemon(true);
            t.start();
        }
        sleepUntil(measureFrom);
        cpu = Cpu.start();
        sleepUntil(measureTo);
        cpu.stop(phase);
        done.await(60, TimeUnit.SECONDS);
        long[] all = lat.stream().flatMapToLong(Arrays::stream).toArray();
        return new Closed(ok.sum() / seconds, errors.sum(), all);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long d;
        while ((d = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, d / 1_000_000));
        }
    }

    // ------------------------------------------------------------------------------------------------ trivial

    /** Submits N fast http jobs (batches of 500, spread over the nodes) and waits until they are all finished. */
    static void trivial() throws Exception {
        int jobs = intArg("jobs", 10_000);
        int timeout = intArg("timeout", 30);
        Target target = Target.start(intArg("target-port", 8390));
        String context = "trivial-" + System.currentTimeMillis();
        String job = "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:"
                + target.port + "/t?job=__JOBID__\",\"timeout\":30}}";
        try (Connection db = DriverManager.getConnection(arg("jdbc", ""))) {
            Cpu cpu = Cpu.start();
            long t0 = System.nanoTime();
            submitInBatches(job, jobs, 500);
            long submitted = System.nanoTime();
            long deadline = t0 + timeout * 1_000_000_000L;
            long[] counts = new long[2];
            while (System.nanoTime() < deadline) {
                counts = finishedCounts(db, context);
                if (counts[0] + counts[1] >= jobs) {
                    break;
                }
                Thread.sleep(50);
            }
            long t1 = System.nanoTime();
            cpu.stop("trivial");
            long finished = counts[0] + counts[1];
            double elapsed = (t1 - t0) / 1e9;
            double rate = counts[0] / elapsed;
            if (finished >= jobs) {
                // precise span on the database clock: first job stored -> last job finished
                try (PreparedStatement span = db.prepareStatement("SELECT TIMESTAMPDIFF(MICROSECOND, MIN(time_added),"
                        + " MAX(time_completed)) FROM queue_job WHERE context = ?")) {
                    span.setString(1, context);
                    try (ResultSet rs = span.executeQuery()) {
                        if (rs.next() && rs.getLong(1) > 0) {
                            rate = counts[0] / (rs.getLong(1) / 1e6);
                        }
                    }
                }
            }
            result("trivial.jobs_per_s", rate);
            result("trivial.submit_s", (submitted - t0) / 1e9);
            result("trivial.failed", counts[1]);
            result("trivial.unfinished", jobs - finished);
            result("trivial.target_hits", target.hits.get());
        } finally {
            target.stop();
        }
    }

    static long[] finishedCounts(Connection db, String context) throws SQLException {
        long[] counts = new long[2];
        try (PreparedStatement q = db.prepareStatement(
                "SELECT state, COUNT(*) FROM queue_job WHERE context = ? AND state IN (3, 99) GROUP BY state")) {
            q.setString(1, context);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    counts[rs.getInt(1) == 3 ? 0 : 1] = rs.getLong(2);
                }
            }
        }
        return counts;
    }

    static void submitInBatches(String job, int jobs, int size) throws Exception {
        List<String> urls = urls();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(jobs);
        AtomicLong errors = new AtomicLong();
        for (int u = 0; u < urls.size(); u++) {
            String url = urls.get(u);
            Thread t = new Thread(() -> {
                try (Http http = new Http(url)) {
                    int n;
                    while ((n = Math.min(size, left.getAndAdd(-size))) > 0) {
                        String body = Collections.nCopies(n, job).stream().collect(Collectors.joining(",", "[", "]"));
                        if (http.exchange(request("POST", url, "/jobs", body), null) != 201) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (errors.get() > 0) {
            System.err.println("submit errors: " + errors.get());
        }
    }

    // ------------------------------------------------------------------------------------------------ latency

    /**
     * Open loop: one job every 1/rate seconds over /jobs/add; the job calls the target, whose URL carries the send
     * time, so the target measures submit (request sent) -> job started (target hit) on one clock.
     */
    static void latency() throws Exception {
        int rate = intArg("rate", 100);
        double seconds = Double.parseDouble(arg("seconds", "8"));
        double warmup = Double.parseDouble(arg("warmup", "1"));
        Target target = Target.start(intArg("target-port", 8390));
        String context = "latency-" + System.currentTimeMillis();
        List<String> urls = urls();
        LinkedBlockingQueue<Long> due = new LinkedBlockingQueue<>();
        AtomicLong errors = new AtomicLong();
        int senders = 16;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            String url = urls.get(s % urls.size());
            Thread t = new Thread(() -> {
                try (Http http = new Http(url)) {
                    while (true) {
                        long sendAt = due.take();
                        if (sendAt < 0) {
                            return;
                        }
                        long now = System.nanoTime();
                        String body = "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":"
                                + "\"http://127.0.0.1:" + target.port + "/lat?t=" + now + "\",\"timeout\":30}}";
                        try {
                            if (http.exchange(request("POST", url, "/jobs/add", body), null) != 200) {
                                errors.incrementAndGet();
                            }
                        } catch (IOException e) {
                            errors.incrementAndGet();
                            http.close();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        target.latencyFrom = measureFrom;
        Cpu cpu = null;
        long sent = 0;
        for (long next = start; next < end; next += period) {
            sleepUntil(next);
            if (cpu == null && next >= measureFrom) {
                cpu = Cpu.start();
            }
            due.add(next);
            if (next >= measureFrom) {
                sent++;
            }
        }
        for (int s = 0; s < senders; s++) {
            due.add(-1L);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        long wait = System.nanoTime() + 10_000_000_000L;
        while (target.latencies.size() < sent && System.nanoTime() < wait) {
            Thread.sleep(20);
        }
        if (cpu != null) {
            cpu.stop("latency");
        }
        long[] lat = target.latencies.stream().mapToLong(Long::longValue).toArray();
        target.stop();
        result("latency.p50_ms", percentile(lat, 50) / 1000.0);
        result("latency.p95_ms", percentile(lat, 95) / 1000.0);
        result("latency.p99_ms", percentile(lat, 99) / 1000.0);
        result("latency.max_ms", percentile(lat, 100) / 1000.0);
        result("latency.samples", lat.length);
        result("latency.missing", sent - lat.length);
        result("latency.errors", errors.get());
        // the same on the database clock: time_started - time_added (stored with microseconds)
        try (Connection db = DriverManager.getConnection(arg("jdbc", ""));
             PreparedStatement q = db.prepareStatement("SELECT TIMESTAMPDIFF(MICROSECOND, time_added, time_started)"
                     + " FROM queue_job WHERE context = ? AND time_started IS NOT NULL ORDER BY id")) {
            q.setString(1, context);
            List<Long> v = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    v.add(rs.getLong(1));
                }
            }
            int skip = Math.min(v.size(), (int) (warmup * rate));
            long[] d = v.subList(skip, v.size()).stream().mapToLong(Long::longValue).toArray();
            result("latency.db_p50_ms", percentile(d, 50) / 1000.0);
            result("latency.db_p99_ms", percentile(d, 99) / 1000.0);
        }
    }

    static long percentile(long[] values, double pct) {
        if (values.length == 0) {
            return -1;
        }
        long[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.ceil(pct / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    // ------------------------------------------------------------------------------------------------ long

    /** N jobs whose target holds each request {@code hold} seconds: are they all in flight at once? */
    static void longJobs() throws Exception {
        int jobs = intArg("jobs", 10_000);
        int hold = intArg("hold", 30);
        Target target = Target.start(intArg("target-port", 8391));
        String context = "long-" + System.currentTimeMillis();
        String job = "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:"
                + target.port + "/hold?s=" + hold + "\",\"timeout\":" + (hold * 4) + "}}";
        long pid = Long.parseLong(arg("server-pids", "0").split(",")[0]);
        try (Connection db = DriverManager.getConnection(arg("jdbc", ""))) {
            long t0 = System.nanoTime();
            submitInBatches(job, jobs, 1000);
            result("long.submit_s", (System.nanoTime() - t0) / 1e9);
            long peakThreads = 0;
            long peakRss = 0;
            double allInFlightAt = -1;
            long heapAtPeak = -1;
            long deadline = t0 + (hold * 3L + 30) * 1_000_000_000L;
            long[] counts = new long[2];
            long lastPrint = 0;
            while (System.nanoTime() < deadline) {
                long inflight = target.inflight.get();
                peakThreads = Math.max(peakThreads, Proc.status(pid, "Threads"));
                peakRss = Math.max(peakRss, Proc.status(pid, "VmRSS"));
                if (allInFlightAt < 0 && inflight >= jobs) {
                    allInFlightAt = (System.nanoTime() - t0) / 1e9;
                    heapAtPeak = heapUsedKiB(pid);
                }
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.err.printf(Locale.ROOT, "  long: %5.1f s  in flight at target %d (peak %d)  server threads %d  RSS %d MiB%n",
                            (lastPrint - t0) / 1e9, inflight, target.peak.get(), Proc.status(pid, "Threads"),
                            Proc.status(pid, "VmRSS") / 1024);
                }
                if (target.hits.get() >= jobs && target.inflight.get() == 0) {
                    counts = finishedCounts(db, context);
                    if (counts[0] + counts[1] >= jobs) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            counts = finishedCounts(db, context);
            result("long.peak_in_flight", target.peak.get());
            result("long.all_in_flight_after_s", allInFlightAt);
            result("long.peak_server_threads", peakThreads);
            result("long.peak_rss_mib", peakRss / 1024.0);
            result("long.heap_used_at_peak_mib", heapAtPeak / 1024.0);
            result("long.done", counts[0]);
            result("long.failed", counts[1]);
            result("long.total_s", (System.nanoTime() - t0) / 1e9);
        } finally {
            target.stop();
        }
    }

    static long heapUsedKiB(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(20, TimeUnit.SECONDS);
            var m = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    // ------------------------------------------------------------------------------------------------ ceilings

    static final String INSERT = "INSERT INTO queue_job (state, priority, context, type, payload, unique_key,"
            + " run_at, time_added, max_attempts) VALUES (0, ?, ?, 'http', ?, NULL, LOCALTIMESTAMP(6), LOCALTIMESTAMP(6), 1)";
    static final String PAYLOAD = "{\"priority\":500,\"context\":\"raw\",\"command\":{\"type\":\"http\","
            + "\"url\":\"http://127.0.0.1:8399/t\",\"timeout\":5}}";

    /** Raw JDBC on the real schema (sql/*.sql), same database server, no application in between. */
    static void ceilings() throws Exception {
        String url = arg("jdbc", "");
        double seconds = Double.parseDouble(arg("seconds", "5"));
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            List<Path> scripts;
            try (var files = Files.list(Path.of(arg("sql", "sql")))) {
                scripts = files.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
            }
            for (Path script : scripts) {
                String text = Files.readAllLines(script).stream().filter(l -> !l.trim().startsWith("--"))
                        .collect(Collectors.joining("\n"));
                for (String stmt : text.split(";")) {
                    if (!stmt.isBlank()) {
                        s.execute(stmt);
                    }
                }
            }
        }
        // 1. single-row autocommit INSERT, 16 connections
        double insert = timedLoop("ceiling.insert", url, 16, seconds, c -> {
            try (PreparedStatement p = c.prepareStatement(INSERT)) {
                bindRaw(p);
                p.executeUpdate();
            }
            return 1;
        });
        result("ceiling.insert16_per_s", insert);
        // 2. 1000-row INSERT transactions (multi-row, rewriteBatchedStatements), 4 connections
        double batch = timedLoop("ceiling.batch", url, 4, seconds, c -> {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(INSERT)) {
                for (int i = 0; i < 1000; i++) {
                    bindRaw(p);
                    p.addBatch();
                }
                p.executeBatch();
            }
            c.commit();
            return 1000;
        });
        result("ceiling.batch1000_per_s", batch);
        // 3. claim + done, 50 jobs per transaction, 4 connections, on a fresh backlog
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("TRUNCATE TABLE queue_job");
        }
        int backlog = intArg("backlog", 100_000);
        timedLoop("ceiling.preload", url, 4, 600, c -> {
            c.setAutoCommit(false);
            int n;
            synchronized (LoadGenerator.class) {
                n = Math.min(1000, backlog - preloaded);
                preloaded += Math.max(0, n);
            }
            if (n <= 0) {
                return -1;
            }
            try (PreparedStatement p = c.prepareStatement(INSERT)) {
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
            try (PreparedStatement q = c.prepareStatement("SELECT id, attempt, max_attempts, context, payload FROM queue_job"
                    + " WHERE state = 0 ORDER BY priority DESC, id LIMIT 50 FOR UPDATE SKIP LOCKED");
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
            try (PreparedStatement u = c.prepareStatement("UPDATE queue_job SET state = 1, owner = ?, attempt = attempt + 1,"
                    + " lease_until = TIMESTAMPADD(MICROSECOND, 30000000, LOCALTIMESTAMP(6)), time_started = LOCALTIMESTAMP(6)"
                    + " WHERE id IN (" + in + ")")) {
                u.setString(1, "raw-node");
                u.executeUpdate();
            }
            c.commit();
            try (PreparedStatement u = c.prepareStatement("UPDATE queue_job SET state = 3, return_code = 200, output = 'ok',"
                    + " owner = NULL, lease_until = NULL, time_completed = LOCALTIMESTAMP(6)"
                    + " WHERE id IN (" + in + ") AND owner = ? AND state = 1")) {
                u.setString(1, "raw-node");
                u.executeUpdate();
            }
            c.commit();
            return ids.size();
        });
        result("ceiling.claimdone50_per_s", claim);
    }

    static int preloaded;

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
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicLong lastEnd = new AtomicLong(start);
        List<Thread> ts = new ArrayList<>();
        List<Exception> failures = Collections.synchronizedList(new ArrayList<>());
        Cpu cpu = Cpu.start();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url)) {
                    while (System.nanoTime() < end) {
                        int n = work.run(c);
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
        return rows.sum() / ((lastEnd.get() - start) / 1e9);
    }

    // ------------------------------------------------------------------------------------------------ CPU, RSS

    /** CPU seconds used per component between start and stop, from /proc: server(s), MariaDB, this process, the rest. */
    static final class Cpu {
        final long t0 = System.nanoTime();
        final Map<String, Long> before = snapshot();
        final long rssBefore = rss();

        static Cpu start() {
            return new Cpu();
        }

        static Map<String, Long> snapshot() {
            Map<String, Long> m = new LinkedHashMap<>();
            long server = 0;
            for (String pid : arg("server-pids", "").split(",")) {
                if (!pid.isBlank()) {
                    server += Proc.ticks(Long.parseLong(pid));
                }
            }
            m.put("server", server);
            m.put("db", arg("db-pid", "").isBlank() ? 0 : Proc.ticks(Long.parseLong(arg("db-pid", ""))));
            m.put("loadgen", Proc.ticks(ProcessHandle.current().pid()));
            m.put("machine", Proc.machineBusyTicks());
            return m;
        }

        static long rss() {
            long sum = 0;
            for (String pid : arg("server-pids", "").split(",")) {
                if (!pid.isBlank()) {
                    sum += Proc.status(Long.parseLong(pid), "VmRSS");
                }
            }
            return sum;
        }

        void stop(String phase) {
            Map<String, Long> after = snapshot();
            double secs = (System.nanoTime() - t0) / 1e9;
            double hz = 100.0;
            double total = 0;
            for (String k : List.of("server", "db", "loadgen")) {
                double cores = (after.get(k) - before.get(k)) / hz / secs;
                total += cores;
                result("cpu." + phase + "." + k, cores);
            }
            double machine = (after.get("machine") - before.get("machine")) / hz / secs;
            result("cpu." + phase + ".other", Math.max(0, machine - total));
            long rss = rss();
            if (rss > 0) {
                result("rss." + phase + "_mib", Math.max(rss, rssBefore) / 1024.0);
            }
        }
    }

    static final class Proc {
        static long ticks(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }

        static long machineBusyTicks() {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long busy = 0;
                for (int i = 1; i < f.length && i <= 8; i++) {
                    if (i != 4 && i != 5) { // idle, iowait
                        busy += Long.parseLong(f[i]);
                    }
                }
                return busy;
            } catch (IOException e) {
                return 0;
            }
        }

        /** A numeric field of /proc/pid/status (kB for memory fields). */
        static long status(long pid, String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------ HTTP client

    /** A minimal blocking HTTP/1.1 keep-alive client: one connection, TCP_NODELAY, reconnects when closed. */
    static final class Http implements AutoCloseable {
        final String host;
        final int port;
        Socket socket;
        InputStream in;
        OutputStream out;
        final byte[] buf = new byte[1 << 16];
        int pos;
        int lim;

        Http(String url) {
            String hp = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
            host = hp.substring(0, hp.indexOf(':'));
            port = Integer.parseInt(hp.substring(hp.indexOf(':') + 1));
        }

        int exchange(byte[] request, ByteArrayOutputStream body) throws IOException {
            if (socket == null) {
                socket = new Socket();
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(120_000);
                socket.connect(new InetSocketAddress(host, port), 10_000);
                in = socket.getInputStream();
                out = socket.getOutputStream();
                pos = lim = 0;
            }
            out.write(request);
            out.flush();
            String status = line();
            if (status == null) {
                throw new IOException("connection closed");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String h;
            while ((h = line()) != null && !h.isEmpty()) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                long size;
                while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                    skip(size, body);
                    line();
                }
                while ((h = line()) != null && !h.isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length, body);
            }
            if (close) {
                close();
            }
            return code;
        }

        private boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder(64);
            while (true) {
                if (!fill()) {
                    return sb.length() == 0 ? null : sb.toString();
                }
                byte b = buf[pos++];
                if (b == '\n') {
                    int l = sb.length();
                    return l > 0 && sb.charAt(l - 1) == '\r' ? sb.substring(0, l - 1) : sb.toString();
                }
                sb.append((char) b);
            }
        }

        private void skip(long n, ByteArrayOutputStream body) throws IOException {
            while (n > 0) {
                if (!fill()) {
                    throw new IOException("connection closed in body");
                }
                int k = (int) Math.min(n, lim - pos);
                if (body != null) {
                    body.write(buf, pos, k);
                }
                pos += k;
                n -= k;
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            socket = null;
        }
    }

    // ------------------------------------------------------------------------------------------------ target

    /**
     * The jobs' target: a single-threaded NIO HTTP/1.1 server with TCP_NODELAY and keep-alive. {@code /t} answers at
     * once, {@code /lat?t=<nanoTime>} records the submit-to-start latency, {@code /hold?s=N} answers after N seconds
     * without holding a thread (so 10,000 held requests cost 10,000 sockets, nothing more).
     */
    static final class Target {
        static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII);
        final ServerSocketChannel server;
        final Selector selector;
        final int port;
        final AtomicLong hits = new AtomicLong();
        final AtomicLong inflight = new AtomicLong();
        final AtomicLong peak = new AtomicLong();
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<SocketChannel> toAnswer = new ConcurrentLinkedQueue<>();
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "target-timer");
            t.setDaemon(true);
            return t;
        });
        volatile long latencyFrom = Long.MIN_VALUE;
        volatile boolean running = true;
        final Thread loop;

        private Target(int port) throws IOException {
            server = ServerSocketChannel.open();
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress("127.0.0.1", port), 20_000);
            server.configureBlocking(false);
            selector = Selector.open();
            server.register(selector, SelectionKey.OP_ACCEPT);
            this.port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            loop = new Thread(this::run, "target");
            loop.setDaemon(true);
            loop.start();
        }

        static Target start(int port) throws IOException {
            return new Target(port);
        }

        void stop() throws IOException {
            running = false;
            selector.wakeup();
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (SelectionKey k : selector.keys()) {
                k.channel().close();
            }
            selector.close();
            server.close();
            timer.shutdownNow();
        }

        static final class Conn {
            ByteBuffer in = ByteBuffer.allocate(4096);
            ByteBuffer out;
        }

        private void run() {
            try {
                while (running) {
                    selector.select(100);
                    SocketChannel later;
                    while ((later = toAnswer.poll()) != null) {
                        SelectionKey k = later.keyFor(selector);
                        inflight.decrementAndGet();
                        if (k != null && k.isValid()) {
                            answer(k);
                        }
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        try {
                            if (!k.isValid()) {
                                continue;
                            }
                            if (k.isAcceptable()) {
                                SocketChannel c;
                                while ((c = server.accept()) != null) {
                                    c.configureBlocking(false);
                                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                                    c.register(selector, SelectionKey.OP_READ, new Conn());
                                }
                            } else {
                                if (k.isWritable()) {
                                    flush(k);
                                }
                                if (k.isValid() && k.isReadable()) {
                                    read(k);
                                }
                            }
                        } catch (IOException | RuntimeException e) {
                            k.cancel();
                            try {
                                k.channel().close();
                            } catch (IOException ignored) {
                                // closing
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (running) {
                    e.printStackTrace();
                }
            }
        }

        private void read(SelectionKey k) throws IOException {
            Conn conn = (Conn) k.attachment();
            SocketChannel ch = (SocketChannel) k.channel();
            if (!conn.in.hasRemaining()) {
                conn.in = ByteBuffer.allocate(conn.in.capacity() * 2).put(conn.in.flip());
            }
            int n = ch.read(conn.in);
            if (n < 0) {
                k.cancel();
                ch.close();
                return;
            }
            while (true) {
                String text = new String(conn.in.array(), 0, conn.in.position(), StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end < 0) {
                    return;
                }
                int length = 0;
                for (String h : text.substring(0, end).split("\r\n")) {
                    if (h.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Integer.parseInt(h.substring(15).trim());
                    }
                }
                int total = end + 4 + length;
                if (conn.in.position() < total) {
                    return;
                }
                String requestLine = text.substring(0, text.indexOf("\r\n"));
                byte[] rest = Arrays.copyOfRange(conn.in.array(), total, conn.in.position());
                conn.in.clear();
                conn.in.put(rest);
                handle(k, requestLine.split(" ")[1]);
            }
        }

        private void handle(SelectionKey k, String path) throws IOException {
            hits.incrementAndGet();
            if (path.startsWith("/lat?t=")) {
                long sent = Long.parseLong(path.substring(7).replaceAll("[^0-9].*$", ""));
                if (sent >= latencyFrom) {
                    latencies.add((System.nanoTime() - sent) / 1000);
                }
            } else if (path.startsWith("/hold?s=")) {
                long secs = Long.parseLong(path.substring(8).replaceAll("[^0-9].*$", ""));
                peak.accumulateAndGet(inflight.incrementAndGet(), Math::max);
                SocketChannel ch = (SocketChannel) k.channel();
                timer.schedule(() -> {
                    toAnswer.add(ch);
                    selector.wakeup();
                }, secs, TimeUnit.SECONDS);
                return;
            }
            answer(k);
        }

        private void answer(SelectionKey k) throws IOException {
            Conn conn = (Conn) k.attachment();
            if (conn.out != null && conn.out.hasRemaining()) {
                ByteBuffer more = ByteBuffer.allocate(conn.out.remaining() + OK.length).put(conn.out).put(OK);
                conn.out = more.flip();
            } else {
                conn.out = ByteBuffer.wrap(OK);
            }
            flush(k);
        }

        private void flush(SelectionKey k) throws IOException {
            Conn conn = (Conn) k.attachment();
            ((SocketChannel) k.channel()).write(conn.out);
            k.interestOps(conn.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    /** Reads "nodes run metric value" lines and prints the tables: median (min – max) over the runs. */
    static final class Report {
        record Target(String metric, String label, String unit, String goal, boolean higherIsBetter, double limit,
                      String ceiling) {
        }

        static final List<Target> MAIN = List.of(
                new Target("submits.per_s", "Submits over HTTP (POST /jobs/add, 1 job/request)", "jobs/s", ">= 6,000", true, 6000, "ceiling.insert16_per_s"),
                new Target("batch.jobs_per_s", "Batch submit (POST /jobs, 1000 jobs/request)", "jobs/s", ">= 40,000", true, 40000, "ceiling.batch1000_per_s"),
                new Target("trivial.jobs_per_s", "Trivial HTTP jobs completed end to end", "jobs/s", ">= 4,000", true, 4000, "ceiling.claimdone50_per_s"),
                new Target("latency.p50_ms", "Submit -> start p50 at 100 jobs/s (at target)", "ms", "<= 5", false, 5, null),
                new Target("latency.p95_ms", "Submit -> start p95 at 100 jobs/s (at target)", "ms", "", false, 0, null),
                new Target("latency.p99_ms", "Submit -> start p99 at 100 jobs/s (at target)", "ms", "<= 50", false, 50, null),
                new Target("latency.db_p50_ms", "  same, database clock (time_started - time_added) p50", "ms", "", false, 0, null),
                new Target("latency.db_p99_ms", "  same, database clock p99", "ms", "", false, 0, null),
                new Target("rss.idle_mib", "Idle RSS (VmRSS of the Payara process)", "MiB", "<= 512", false, 512, null),
                new Target("rss.loaded_mib", "Loaded RSS (peak during the runs)", "MiB", "", false, 0, null),
                new Target("start.cold_s", "Cold start (launch -> first 200 from GET /)", "s", "<= 20", false, 20, null),
                new Target("ceiling.insert16_per_s", "Ceiling: raw single-row INSERT, 16 connections", "rows/s", "", true, 0, null),
                new Target("ceiling.batch1000_per_s", "Ceiling: raw 1000-row INSERT transactions, 4 connections", "rows/s", "", true, 0, null),
                new Target("ceiling.claimdone50_per_s", "Ceiling: raw claim+done, 50 per transaction, 4 connections", "jobs/s", "", true, 0, null));

        static void print(Path file) throws IOException {
            // nodes -> metric -> values
            Map<Integer, Map<String, List<Double>>> data = new TreeMap<>();
            Map<String, String> info = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+", 4);
                if (f.length == 4 && f[0].equals("info")) {
                    info.merge(f[2], f[3], (a, b) -> a + " | " + b);
                } else if (f.length == 4) {
                    try {
                        data.computeIfAbsent(Integer.parseInt(f[0]), n -> new TreeMap<>())
                                .computeIfAbsent(f[2], m -> new ArrayList<>()).add(Double.parseDouble(f[3]));
                    } catch (NumberFormatException ignored) {
                        // not a result line
                    }
                }
            }
            info.forEach((k, v) -> System.out.println(k + ": " + v));
            Map<String, List<Double>> one = data.getOrDefault(1, Map.of());
            if (!one.isEmpty()) {
                System.out.println();
                System.out.println("Queue Server benchmark, 1 node — median (min – max) of " + runs(one) + " runs");
                String fmt = "| %-62s | %-30s | %-9s | %-7s | %-20s |%n";
                System.out.printf(fmt, "Figure", "Median (min – max)", "Target", "Met", "Ratio to ceiling");
                System.out.printf(fmt, "-".repeat(62), "-".repeat(30), "-".repeat(9), "-".repeat(7), "-".repeat(20));
                for (Target t : MAIN) {
                    List<Double> v = one.get(t.metric);
                    if (v == null) {
                        continue;
                    }
                    double med = median(v);
                    String met = t.limit == 0 ? "" : (t.higherIsBetter ? med >= t.limit : med <= t.limit) ? "yes" : "NO";
                    String ratio = "";
                    if (t.ceiling != null && one.containsKey(t.ceiling)) {
                        double c = median(one.get(t.ceiling));
                        ratio = String.format(Locale.ROOT, "%.0f%% of %s", 100 * med / c, num(c));
                    }
                    System.out.printf(fmt, t.label, num(med) + " " + t.unit + " (" + num(Collections.min(v)) + " – "
                            + num(Collections.max(v)) + ")", t.goal, met, ratio);
                }
                List<String> extras = List.of("submits.req_p50_ms", "submits.req_p99_ms", "submits.errors",
                        "batch.req_p50_ms", "batch.errors", "trivial.submit_s", "trivial.failed", "trivial.unfinished",
                        "latency.max_ms", "latency.samples", "latency.missing", "latency.errors");
                System.out.println();
                System.out.println("Details (median of runs):");
                for (String e : extras) {
                    if (one.containsKey(e)) {
                        System.out.printf("  %-26s %s%n", e, num(median(one.get(e))));
                    }
                }
                cpuTable(one);
            }
            if (data.keySet().stream().anyMatch(n -> n > 1)) {
                System.out.println();
                System.out.println("Scaling: nodes on one database (--nocluster; nodes share work through the database),"
                        + " median (min – max)");
                String fmt = "| %-5s | %-32s | %-32s | %-32s |%n";
                System.out.printf(fmt, "Nodes", "Submits/s (/jobs/add)", "Batch jobs/s (POST /jobs)", "Trivial jobs/s end to end");
                System.out.printf(fmt, "-".repeat(5), "-".repeat(32), "-".repeat(32), "-".repeat(32));
                Map<String, Double> base = new LinkedHashMap<>();
                for (var e : data.entrySet()) {
                    if (e.getKey() < 1) {
                        continue; // 0 = the long-jobs check
                    }
                    List<String> cells = new ArrayList<>();
                    for (String m : List.of("submits.per_s", "batch.jobs_per_s", "trivial.jobs_per_s")) {
                        List<Double> v = e.getValue().get(m);
                        if (v == null) {
                            cells.add("");
                            continue;
                        }
                        double med = median(v);
                        base.putIfAbsent(m, med);
                        cells.add(String.format(Locale.ROOT, "%s (%s – %s) x%.2f", num(med), num(Collections.min(v)),
                                num(Collections.max(v)), med / base.get(m)));
                    }
                    System.out.printf(fmt, e.getKey(), cells.get(0), cells.get(1), cells.get(2));
                }
                for (var e : data.entrySet()) {
                    if (e.getKey() > 1) {
                        System.out.println();
                        System.out.println(e.getKey() + " nodes:");
                        cpuTable(e.getValue());
                    }
                }
            }
            Map<String, List<Double>> lng = data.getOrDefault(0, Map.of());
            if (!lng.isEmpty()) {
                System.out.println();
                System.out.println("Long jobs (1 node, QUEUE_MAX_THREADS=10000, -Xmx1g; target holds each request):");
                lng.forEach((k, v) -> System.out.printf("  %-30s %s%n", k, num(median(v))));
                double peak = median(lng.getOrDefault("long.peak_in_flight", List.of(0.0)));
                double threads = median(lng.getOrDefault("long.peak_server_threads", List.of(0.0)));
                System.out.printf("  target: 10,000 in flight at once, no thread per job -> %s (peak in flight %s,"
                        + " server threads %s)%n", peak >= 10_000 && threads < 1000 ? "met" : "NOT met", num(peak), num(threads));
                double done = median(lng.getOrDefault("long.done", List.of(0.0)))
                        + median(lng.getOrDefault("long.failed", List.of(0.0)));
                if (done < peak) {
                    System.out.printf("  but only %s of the jobs had their result recorded by the end of the check%n", num(done));
                }
            }
        }

        static void cpuTable(Map<String, List<Double>> m) {
            TreeSet<String> phases = new TreeSet<>();
            m.keySet().stream().filter(k -> k.startsWith("cpu.")).forEach(k -> phases.add(k.substring(4, k.lastIndexOf('.'))));
            if (phases.isEmpty()) {
                return;
            }
            System.out.println();
            System.out.println("CPU during each phase, in cores (2 = the whole machine), median of runs:");
            String fmt = "| %-16s | %-7s | %-7s | %-8s | %-22s |%n";
            System.out.printf(fmt, "Phase", "Server", "MariaDB", "Load gen", "Other (other processes)");
            System.out.printf(fmt, "-".repeat(16), "-".repeat(7), "-".repeat(7), "-".repeat(8), "-".repeat(22));
            for (String p : phases) {
                System.out.printf(fmt, p, cores(m, p, "server"), cores(m, p, "db"), cores(m, p, "loadgen"), cores(m, p, "other"));
            }
        }

        static String cores(Map<String, List<Double>> m, String phase, String who) {
            List<Double> v = m.get("cpu." + phase + "." + who);
            return v == null ? "" : String.format(Locale.ROOT, "%.2f", median(v));
        }

        static int runs(Map<String, List<Double>> m) {
            return m.values().stream().mapToInt(List::size).max().orElse(0);
        }

        static double median(List<Double> v) {
            List<Double> s = new ArrayList<>(v);
            Collections.sort(s);
            int n = s.size();
            return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
        }

        static String num(double d) {
            if (Math.abs(d) >= 100) {
                return String.format(Locale.ROOT, "%,.0f", d);
            }
            return String.format(Locale.ROOT, "%.1f", d);
        }
    }
}
