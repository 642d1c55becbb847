import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * bench/compare's table: Queue Server against the peers (the Node.js harness), round by round, as median ratios
 * ours/peer, with the CPU per trivial job of every process involved and the CPU steal of each round. Reads from
 * {@code --dir}: {@code r<N>-ours.txt} (bench/run's results file of round N), {@code r<N>-<peer>.log} (the harness's
 * output), {@code steal.txt} ({@code <round> <side> <steal share> <busy share> <seconds>}) and, if there,
 * {@code settings.txt} (lines printed under the title).
 */
final class CompareReport {
    /** What the harness calls each peer, and how the table names it. */
    static final Map<String, String> PEER_NAMES = Map.of(
            "graphile", "Graphile Worker",
            "bullmq-aof", "BullMQ, durable (AOF, appendfsync " + Options.arg("aof-fsync", "always") + ")",
            "bullmq", "BullMQ, not durable (for information)",
            "pgboss", "pg-boss");

    /** One figure of one side in one round, with the CPU split when it is the trivial-jobs figure. */
    record Sample(double value, Map<String, Double> cpuMsPerJob) {
    }

    /** A row group of the table: our metric, the peer's scenario and field, and the targets per peer. */
    record PeerFigure(String label, String ours, String scenario, String field, boolean higherIsBetter,
                  Map<String, Double> targets) {
    }

    static final List<PeerFigure> FIGURES = List.of(
            new PeerFigure("Trivial HTTP jobs end to end (jobs/s)", "trivial.jobs_per_s", "http", "rate", true,
                    Map.of("graphile", 1.5, "bullmq-aof", 1.5)),
            new PeerFigure("Total CPU per trivial job (ms, all processes)", "trivial.cpu_ms_per_job", "http",
                    "cpu_ms_per_job", false, Map.of("graphile", 0.7)),
            new PeerFigure("Single submits, 64 concurrent clients (jobs/s)", "submits.per_s", "enqueue-single", "rate", true,
                    Map.of("bullmq-aof", 1.2)),
            new PeerFigure("Batch submits, 1000 jobs per call (jobs/s)", "batch.jobs_per_s", "enqueue-bulk", "rate", true,
                    Map.of("graphile", 1.2)),
            new PeerFigure("Submit -> start latency p50 at 100 jobs/s (ms)", "latency.p50_ms", "latency", "p50", false,
                    Map.of()),
            new PeerFigure("Submit -> start latency p99 at 100 jobs/s (ms)", "latency.p99_ms", "latency", "p99", false,
                    Map.of()));

    private CompareReport() {
    }

    static void print() throws IOException {
        Path dir = Path.of(Options.arg("dir", "target/bench/compare"));
        int rounds = Options.intArg("rounds", 3);
        List<String> peers = Arrays.asList(Options.arg("peers", "graphile bullmq-aof bullmq").trim().split("\\s+"));
        // side -> round -> metric -> sample
        Map<String, List<Map<String, Sample>>> data = new LinkedHashMap<>();
        data.put("ours", new ArrayList<>());
        peers.forEach(p -> data.put(p, new ArrayList<>()));
        for (int r = 1; r <= rounds; r++) {
            data.get("ours").add(readOurs(dir.resolve("r" + r + "-ours.txt")));
            for (String p : peers) {
                data.get(p).add(readPeer(dir.resolve("r" + r + "-" + p + ".log")));
            }
        }
        Map<String, double[]> steal = readSteal(dir.resolve("steal.txt"));

        System.out.printf("## Queue Server against its peers: %d round(s), interleaved (ours, then each peer)%n%n", rounds);
        Path settings = dir.resolve("settings.txt");
        if (Files.exists(settings)) {
            Files.readAllLines(settings).forEach(l -> System.out.println("- " + l));
            System.out.println();
        }
        System.out.println("Ratio = ours / peer in each round; the verdict uses the median of those ratios. Higher is"
                + " better for jobs/s, lower for ms.");
        System.out.println();
        System.out.println("| Figure | Peer | Ours (median) | Peer (median) | Ratio per round | Median ratio | Target | Met |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        List<String> verdicts = new ArrayList<>();
        for (PeerFigure f : FIGURES) {
            for (String p : peers) {
                List<Double> ratios = new ArrayList<>();
                List<String> perRound = new ArrayList<>();
                int below = 0;
                int both = 0;
                for (int r = 0; r < rounds; r++) {
                    double o = value(data.get("ours").get(r), f.ours);
                    double q = value(data.get(p).get(r), f.scenario + "." + f.field);
                    double ratio = o / q;
                    perRound.add(Double.isFinite(ratio) && q > 0 ? ratio(ratio) : "-");
                    if (Double.isFinite(ratio) && q > 0) {
                        ratios.add(ratio);
                        both++;
                        below += o < q ? 1 : 0;
                    }
                }
                double med = Stats.median(ratios);
                String target = "";
                String met = "";
                Double limit = f.targets.get(p);
                if (limit != null) {
                    target = (f.higherIsBetter ? ">= " : "<= ") + ratio(limit);
                    met = ratios.isEmpty() ? "no data" : (f.higherIsBetter ? med >= limit : med <= limit) ? "met" : "NOT met";
                } else if (f.ours.equals("latency.p99_ms")) {
                    boolean durable = !p.equals("bullmq");
                    target = durable ? "below in every round" : "(information)";
                    met = both == 0 ? "no data" : (durable ? (below == rounds ? "met" : "NOT met") + ", " : "")
                            + below + "/" + rounds + " rounds below";
                }
                if (!target.isEmpty() && !met.isEmpty() && !target.startsWith("(")) {
                    verdicts.add("- " + f.label + " vs " + PEER_NAMES.getOrDefault(p, p) + ": " + target + " -> " + met);
                }
                System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s |%n", p.equals(peers.get(0)) ? f.label : "",
                        PEER_NAMES.getOrDefault(p, p), cell(medianOf(data.get("ours"), s -> value(s, f.ours))),
                        cell(medianOf(data.get(p), s -> value(s, f.scenario + "." + f.field))),
                        String.join(" / ", perRound), ratios.isEmpty() ? "-" : ratio(med), target, met);
            }
        }

        section("CPU per trivial job, ms (median over rounds), per process",
                "Ours: server JVM, MariaDB (mariadbd), the jobs' HTTP target (a thread of the load generator),"
                + " the load generator (submits and polls). Peers: worker process(es), the store (every postgres or"
                + " redis-server process), the target process, the harness's bench process (orchestrator and store"
                + " polling). Ours counts from the first submit to the last job seen finished; the peers' from the"
                + " workers' start to the store settled (their jobs are enqueued before).",
                "Side", "Total", "Server / workers", "Database / store", "Target", "Load generator / bench process");
        for (var e : data.entrySet()) {
            List<Map<String, Sample>> rs = e.getValue();
            String key = e.getKey().equals("ours") ? "trivial.cpu_ms_per_job" : "http.cpu_ms_per_job";
            System.out.printf("| %s | %s | %s | %s | %s | %s |%n",
                    e.getKey().equals("ours") ? "Queue Server" : PEER_NAMES.getOrDefault(e.getKey(), e.getKey()),
                    cell(medianOf(rs, s -> value(s, key))), cell(medianOf(rs, s -> part(s, key, "server"))),
                    cell(medianOf(rs, s -> part(s, key, "db"))), cell(medianOf(rs, s -> part(s, key, "target"))),
                    cell(medianOf(rs, s -> part(s, key, "loadgen"))));
        }

        printDatabaseAlone(data, peers);

        System.out.println();
        System.out.println("### CPU steal and machine load per round (from /proc/stat)");
        System.out.println();
        System.out.println("Steal: the share of the machine's time the hypervisor gave to other guests, over the side's"
                + " whole run. Busy: the share of the machine in use, by anything. Others: the cores used by processes"
                + " not measured (neither side's) during the trivial-jobs figure. A round with several percent of steal,"
                + " or others near a core, or very different values between the sides, is a bad round (marked from 5 %"
                + " steal or 0.5 cores of others).");
        System.out.println();
        StringBuilder head = new StringBuilder("| Round | Queue Server |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (String p : peers) {
            head.append(' ').append(PEER_NAMES.getOrDefault(p, p)).append(" |");
            rule.append("---|");
        }
        System.out.println(head);
        System.out.println(rule);
        for (int r = 1; r <= rounds; r++) {
            StringBuilder row = new StringBuilder("| " + r + " | " + stealCell(steal.get(r + " ours"),
                    value(data.get("ours").get(r - 1), "cpu.trivial.other")) + " |");
            for (String p : peers) {
                row.append(' ').append(stealCell(steal.get(r + " " + p), value(data.get(p).get(r - 1), "http.other_cores")))
                        .append(" |");
            }
            System.out.println(row);
        }

        System.out.println();
        System.out.println("### Targets");
        System.out.println();
        verdicts.forEach(System.out::println);
        System.out.println("- " + latencyVerdict(data, peers, rounds));
    }

    /** A raw JDBC loop of bench/run's ceilings set against the peer figure a target compares ours with. */
    record DatabaseAlone(String label, String ours, String peer, String peerFigure, double target) {
    }

    static final List<DatabaseAlone> DATABASE_ALONE = List.of(
            new DatabaseAlone("Claim + done, 50 jobs per transaction, 4 connections (jobs/s)", "ceiling.claimdone50_per_s",
                    "graphile", "http.rate", 1.5),
            new DatabaseAlone("Claim + done, 50 jobs per transaction, 4 connections (jobs/s)", "ceiling.claimdone50_per_s",
                    "bullmq-aof", "http.rate", 1.5),
            new DatabaseAlone("MariaDB's CPU per job in that loop (ms)", "ceiling.claimdone50.mariadb_ms_per_job",
                    "graphile", "http.cpu_ms_per_job", 0.7),
            new DatabaseAlone("Single-row INSERT, autocommit, 16 connections (rows/s; not a bound: the server's group"
                    + " commit shares one commit among concurrent submits)", "ceiling.insert16_per_s",
                    "bullmq-aof", "enqueue-single.rate", 1.2),
            new DatabaseAlone("1000-row INSERT transactions, 4 connections (rows/s)", "ceiling.batch1000_per_s",
                    "graphile", "enqueue-bulk.rate", 1.2));

    /**
     * What MariaDB does with no server in between, in the same rounds: the raw loops of bench/run's ceilings on the
     * server's schema, against the peer figure of the target they bound. Where even the raw loop misses the target's
     * ratio, no server on this database reaches it.
     */
    static void printDatabaseAlone(Map<String, List<Map<String, Sample>>> data, List<String> peers) {
        List<Map<String, Sample>> ours = data.get("ours");
        if (ours.stream().noneMatch(s -> s.containsKey("ceiling.claimdone50_per_s"))) {
            return;
        }
        for (Map<String, Sample> s : ours) {
            double cores = value(s, "cpu.ceiling.claim.db");
            double rate = value(s, "ceiling.claimdone50_per_s");
            if (Double.isFinite(cores) && rate > 0) {
                s.put("ceiling.claimdone50.mariadb_ms_per_job", new Sample(1000 * cores / rate, Map.of()));
            }
        }
        section("What MariaDB itself can do, in the same rounds (raw JDBC loops, no server)",
                "bench/run's ceilings on the server's schema, each against the peer figure of the target it"
                + " bounds. The raw claim + done loop is the server's claim and record statements alone: it neither"
                + " stores the jobs nor calls a target. Where a raw loop misses the target's ratio, a server that"
                + " claims and records its jobs in MariaDB this way cannot reach it.",
                "Raw loop", "Peer figure", "Raw (median)", "Peer (median)", "Median ratio", "Target", "Raw loop reaches it");
        for (DatabaseAlone d : DATABASE_ALONE) {
            if (!peers.contains(d.peer)) {
                continue;
            }
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < ours.size(); r++) {
                double ratio = value(ours.get(r), d.ours) / value(data.get(d.peer).get(r), d.peerFigure);
                if (Double.isFinite(ratio) && ratio > 0) {
                    ratios.add(ratio);
                }
            }
            boolean higherIsBetter = !d.ours.endsWith("ms_per_job");
            double med = Stats.median(ratios);
            System.out.printf("| %s | %s %s | %s | %s | %s | %s | %s |%n", d.label, PEER_NAMES.getOrDefault(d.peer, d.peer),
                    d.peerFigure, cell(medianOf(ours, s -> value(s, d.ours))),
                    cell(medianOf(data.get(d.peer), s -> value(s, d.peerFigure))), ratios.isEmpty() ? "-" : ratio(med),
                    (higherIsBetter ? ">= " : "<= ") + ratio(d.target),
                    ratios.isEmpty() ? "no data" : (higherIsBetter ? med >= d.target : med <= d.target) ? "yes" : "no");
        }
    }

    /** A titled part of the report: its heading, what it shows, and the head of its table. */
    static void section(String title, String text, String... columns) {
        System.out.println();
        System.out.println("### " + title);
        System.out.println();
        System.out.println(text);
        System.out.println();
        System.out.println("| " + String.join(" | ", columns) + " |");
        System.out.println("|" + "---|".repeat(columns.length));
    }

    /** Ours p99 below the p99 of every durable peer of the same round, in how many rounds. */
    static String latencyVerdict(Map<String, List<Map<String, Sample>>> data, List<String> peers, int rounds) {
        int below = 0;
        for (int r = 0; r < rounds; r++) {
            double ours = value(data.get("ours").get(r), "latency.p99_ms");
            boolean all = Double.isFinite(ours);
            for (String p : peers) {
                double q = value(data.get(p).get(r), "latency.p99");
                if (!p.equals("bullmq") && !(ours < q)) {
                    all = false;
                }
            }
            below += all ? 1 : 0;
        }
        return "Latency p99 below every durable peer's p99 of the same round: " + (below == rounds ? "met" : "NOT met")
                + " (" + below + "/" + rounds + " rounds)";
    }

    /** bench/run's results file: "nodes run metric value" lines (1 node only). */
    static Map<String, Sample> readOurs(Path file) throws IOException {
        Map<String, Sample> m = new HashMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        Map<String, Double> split = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 4 || !f[0].equals("1")) {
                continue;
            }
            try {
                double v = Double.parseDouble(f[3]);
                if (f[2].startsWith("trivial.cpu_ms_per_job.")) {
                    split.put(f[2].substring("trivial.cpu_ms_per_job.".length()), v);
                } else {
                    m.put(f[2], new Sample(v, split));
                }
            } catch (NumberFormatException ignored) {
                // not a figure
            }
        }
        return m;
    }

    /**
     * The harness's RESULT lines, as "scenario.field"; for http, the best rate of the configurations run (with its
     * CPU per job), as a user would pick.
     */
    static Map<String, Sample> readPeer(Path file) throws IOException {
        Map<String, Sample> m = new HashMap<>();
        if (!Files.exists(file)) {
            return m;
        }
        for (String line : Files.readAllLines(file)) {
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            Map<String, String> kv = new HashMap<>();
            for (String t : line.substring(7).split(" ")) {
                int i = t.indexOf('=');
                if (i > 0) {
                    kv.put(t.substring(0, i), t.substring(i + 1));
                }
            }
            String bench = kv.getOrDefault("bench", "");
            if (kv.containsKey("error") || !"true".equals(kv.get("ok"))) {
                System.err.println("compare: skipped (error or ok=false) in " + file.getFileName() + ": " + line);
                continue;
            }
            for (String scenario : List.of("enqueue-single", "enqueue-bulk", "http", "latency")) {
                if (!bench.endsWith("-" + scenario)) {
                    continue;
                }
                if (scenario.equals("http")) {
                    double rate = number(kv.get("rate"));
                    Sample best = m.get("http.rate");
                    if (best == null || rate > best.value) {
                        Map<String, Double> split = peerCpuSplit(kv, number(kv.get("cpu_ms_per_job")));
                        m.put("http.rate", new Sample(rate, split));
                        m.put("http.cpu_ms_per_job", new Sample(number(kv.get("cpu_ms_per_job")), split));
                        m.put("http.other_cores", new Sample(otherCores(kv), Map.of()));
                    }
                } else {
                    for (String field : List.of("rate", "p50", "p99")) {
                        if (kv.containsKey(field)) {
                            m.put(scenario + "." + field, new Sample(number(kv.get(field)), Map.of()));
                        }
                    }
                }
            }
        }
        return m;
    }

    /** The harness reports cores per process group over one window: its ms per job split in proportion. */
    static Map<String, Double> peerCpuSplit(Map<String, String> kv, double msPerJob) {
        Map<String, Double> cores = new LinkedHashMap<>();
        cores.put("server", number(kv.get("worker_cores")));
        cores.put("db", number(kv.getOrDefault("pg_cores", kv.get("redis_cores"))));
        cores.put("target", number(kv.get("target_cores")));
        cores.put("loadgen", number(kv.get("self_cores")));
        double sum = cores.values().stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).sum();
        Map<String, Double> split = new LinkedHashMap<>();
        cores.forEach((k, v) -> split.put(k, sum > 0 && Double.isFinite(v) ? msPerJob * v / sum : Double.NaN));
        return split;
    }

    /** Cores the rest of the machine used during the harness's window: host_busy minus the measured groups. */
    static double otherCores(Map<String, String> kv) {
        double busy = number(kv.getOrDefault("host_busy", "").replace("%", "")) / 100
                * Runtime.getRuntime().availableProcessors();
        double ours = 0;
        for (String k : List.of("self_cores", "worker_cores", "target_cores", "pg_cores", "redis_cores")) {
            double v = number(kv.get(k));
            ours += Double.isFinite(v) ? v : 0;
        }
        return Math.max(0, busy - ours);
    }

    /** "round side" -> {steal share, busy share, seconds}. */
    static Map<String, double[]> readSteal(Path file) throws IOException {
        Map<String, double[]> m = new HashMap<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 5) {
                    m.put(f[0] + " " + f[1], new double[] {number(f[2]), number(f[3]), number(f[4])});
                }
            }
        }
        return m;
    }

    static double value(Map<String, Sample> s, String metric) {
        Sample x = s.get(metric);
        return x == null ? Double.NaN : x.value;
    }

    static double part(Map<String, Sample> s, String metric, String component) {
        Sample x = s.get(metric);
        return x == null ? Double.NaN : x.cpuMsPerJob.getOrDefault(component, Double.NaN);
    }

    static double medianOf(List<Map<String, Sample>> rounds, ToDoubleFunction<Map<String, Sample>> f) {
        List<Double> v = new ArrayList<>();
        for (Map<String, Sample> s : rounds) {
            double x = f.applyAsDouble(s);
            if (Double.isFinite(x)) {
                v.add(x);
            }
        }
        return Stats.median(v);
    }

    static double number(String s) {
        try {
            return s == null ? Double.NaN : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    static String cell(double d) {
        if (!Double.isFinite(d)) {
            return "-";
        }
        return Math.abs(d) < 10 ? String.format(Locale.ROOT, "%.2f", d) : Stats.num(d);
    }

    static String ratio(double d) {
        return String.format(Locale.ROOT, "%.2fx", d);
    }

    /** Steal and busy share over the side's run, and the other processes' cores during its trivial-jobs figure. */
    static String stealCell(double[] s, double otherCores) {
        if (s == null) {
            return "-";
        }
        String others = Double.isFinite(otherCores) ? String.format(Locale.ROOT, ", others %.2f cores", otherCores) : "";
        boolean bad = s[0] >= 0.05 || otherCores >= 0.5;
        return String.format(Locale.ROOT, "steal %.1f%%, busy %.0f%% (%.0f s)%s%s", 100 * s[0], 100 * s[1], s[2],
                others, bad ? " **bad round?**" : "");
    }
}
