import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads "nodes run metric value" lines and prints the tables: median (min – max) over the runs. */
final class ResultsReport {
    private ResultsReport() {
    }

    /** One line of the main table; {@code limit} 0 means no target, {@code ceiling} the raw figure beside it. */
    record Figure(String metric, String label, String unit, String goal, boolean higherIsBetter, double limit,
                  String ceiling) {
    }

    static final List<Figure> MAIN = List.of(
            new Figure("submits.per_s", "Submits over HTTP (POST /jobs/add, 1 job/request)", "jobs/s", ">= 6,000", true, 6000, "ceiling.insert16_per_s"),
            new Figure("batch.jobs_per_s", "Batch submit (POST /jobs, 1000 jobs/request)", "jobs/s", ">= 40,000", true, 40000, "ceiling.batch1000_per_s"),
            new Figure("trivial.jobs_per_s", "Trivial HTTP jobs completed end to end", "jobs/s", ">= 4,000", true, 4000, "ceiling.claimdone50_per_s"),
            new Figure("latency.p50_ms", "Submit -> start p50 at 100 jobs/s (at target)", "ms", "<= 5", false, 5, null),
            new Figure("latency.p95_ms", "Submit -> start p95 at 100 jobs/s (at target)", "ms", "", false, 0, null),
            new Figure("latency.p99_ms", "Submit -> start p99 at 100 jobs/s (at target)", "ms", "<= 50", false, 50, null),
            new Figure("latency.db_p50_ms", "  same, database clock (time_started - time_added) p50", "ms", "", false, 0, null),
            new Figure("latency.db_p99_ms", "  same, database clock p99", "ms", "", false, 0, null),
            new Figure("result.p50_ms", "Submit -> result p50 (POST /jobs, Prefer: wait, 4 clients)", "ms", "", false, 0, null),
            new Figure("result.p99_ms", "Submit -> result p99 (POST /jobs, Prefer: wait, 4 clients)", "ms", "", false, 0, null),
            new Figure("workflow.submit_p50_ms", "A 1,000-job workflow in one request (POST /workflows) p50", "ms", "< 1,000", false, 1000, null),
            new Figure("workflow.submit_max_ms", "  same, slowest of 10", "ms", "", false, 0, null),
            new Figure("rss.idle_mib", "Idle RSS (VmRSS of the Payara process)", "MiB", "<= 512", false, 512, null),
            new Figure("rss.loaded_mib", "Loaded RSS (peak during the runs)", "MiB", "", false, 0, null),
            new Figure("start.cold_s", "Cold start (launch -> first 200 from GET /)", "s", "<= 20", false, 20, null),
            new Figure("ceiling.insert16_per_s", "Ceiling: raw single-row INSERT, 16 connections", "rows/s", "", true, 0, null),
            new Figure("ceiling.batch1000_per_s", "Ceiling: raw 1000-row INSERT transactions, 4 connections", "rows/s", "", true, 0, null),
            new Figure("ceiling.claimdone50_per_s", "Ceiling: raw claim+done, 50 per transaction, 4 connections", "jobs/s", "", true, 0, null));

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
            for (Figure t : MAIN) {
                List<Double> v = one.get(t.metric);
                if (v == null) {
                    continue;
                }
                double med = Stats.median(v);
                String met = t.limit == 0 ? "" : (t.higherIsBetter ? med >= t.limit : med <= t.limit) ? "yes" : "NO";
                String ratio = "";
                if (t.ceiling != null && one.containsKey(t.ceiling)) {
                    double c = Stats.median(one.get(t.ceiling));
                    ratio = String.format(Locale.ROOT, "%.0f%% of %s", 100 * med / c, Stats.num(c));
                }
                System.out.printf(fmt, t.label, Stats.num(med) + " " + t.unit + " (" + Stats.num(Collections.min(v)) + " – "
                        + Stats.num(Collections.max(v)) + ")", t.goal, met, ratio);
            }
            List<String> extras = List.of("submits.req_p50_ms", "submits.req_p99_ms", "submits.errors",
                    "batch.req_p50_ms", "batch.errors", "trivial.submit_s", "trivial.failed", "trivial.unfinished",
                    "latency.max_ms", "latency.samples", "latency.missing", "latency.errors",
                    "trivial.cpu_ms_per_job", "trivial.cpu_ms_per_job.server", "trivial.cpu_ms_per_job.db",
                    "trivial.cpu_ms_per_job.target", "trivial.cpu_ms_per_job.loadgen");
            System.out.println();
            System.out.println("Details (median of runs):");
            for (String e : extras) {
                if (one.containsKey(e)) {
                    double med = Stats.median(one.get(e));
                    System.out.printf("  %-31s %s%n", e,
                            e.contains("cpu_ms") ? String.format(Locale.ROOT, "%.3f", med) : Stats.num(med));
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
                    double med = Stats.median(v);
                    base.putIfAbsent(m, med);
                    cells.add(String.format(Locale.ROOT, "%s (%s – %s) x%.2f", Stats.num(med), Stats.num(Collections.min(v)),
                            Stats.num(Collections.max(v)), med / base.get(m)));
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
        Map<String, List<Double>> big = data.getOrDefault(-1, Map.of());
        if (!big.isEmpty()) {
            System.out.println();
            System.out.printf("Large table (%s jobs, 1 node): reads over HTTP, p50 / p95 of 20 calls%n",
                    Stats.num(Stats.median(big.getOrDefault("bigtable.rows", List.of(0.0)))));
            big.keySet().stream().filter(k -> k.endsWith("_p50_ms")).forEach(k -> {
                String name = k.substring("bigtable.".length(), k.length() - "_p50_ms".length());
                System.out.printf(Locale.ROOT, "  %-26s %10.1f ms / %.1f ms%s%n", name, Stats.median(big.get(k)),
                        Stats.median(big.getOrDefault("bigtable." + name + "_p95_ms", List.of(0.0))),
                        name.equals("count_scan") ? "   (raw SQL: what a status call cost when counts scanned the table)" : "");
            });
        }
        Map<String, List<Double>> flow = data.getOrDefault(FlowReport.FLOW, Map.of());
        if (!flow.isEmpty()) {
            FlowReport.print(flow);
        }
        Map<String, List<Double>> lng = data.getOrDefault(0, Map.of());
        if (!lng.isEmpty()) {
            System.out.println();
            System.out.println("Long jobs (1 node, QUEUE_MAX_THREADS=10000, -Xmx1g; target holds each request):");
            lng.forEach((k, v) -> System.out.printf("  %-30s %s%n", k, Stats.num(Stats.median(v))));
            double peak = Stats.median(lng.getOrDefault("long.peak_in_flight", List.of(0.0)));
            double threads = Stats.median(lng.getOrDefault("long.peak_server_threads", List.of(0.0)));
            System.out.printf("  target: 10,000 in flight at once, no thread per job -> %s (peak in flight %s,"
                    + " server threads %s)%n", peak >= 10_000 && threads < 1000 ? "met" : "NOT met", Stats.num(peak), Stats.num(threads));
            double done = Stats.median(lng.getOrDefault("long.done", List.of(0.0)))
                    + Stats.median(lng.getOrDefault("long.failed", List.of(0.0)));
            if (done < peak) {
                System.out.printf("  but only %s of the jobs had their result recorded by the end of the check%n", Stats.num(done));
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
        System.out.println("(Target: the jobs' HTTP target thread, inside the load generator's process; Steal: the share"
                + " of the machine's time the hypervisor gave to other guests)");
        String fmt = "| %-16s | %-7s | %-7s | %-7s | %-8s | %-22s | %-6s |%n";
        System.out.printf(fmt, "Phase", "Server", "MariaDB", "Target", "Load gen", "Other (other processes)", "Steal");
        System.out.printf(fmt, "-".repeat(16), "-".repeat(7), "-".repeat(7), "-".repeat(7), "-".repeat(8), "-".repeat(22),
                "-".repeat(6));
        for (String p : phases) {
            System.out.printf(fmt, p, cores(m, p, "server"), cores(m, p, "db"), cores(m, p, "target"),
                    cores(m, p, "loadgen"), cores(m, p, "other"), cores(m, p, "steal"));
        }
    }

    static String cores(Map<String, List<Double>> m, String phase, String who) {
        List<Double> v = m.get("cpu." + phase + "." + who);
        if (v == null) {
            return "";
        }
        return who.equals("steal") ? String.format(Locale.ROOT, "%.1f%%", 100 * Stats.median(v))
                : String.format(Locale.ROOT, "%.2f", Stats.median(v));
    }

    static int runs(Map<String, List<Double>> m) {
        return m.values().stream().mapToInt(List::size).max().orElse(0);
    }
}
