import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.stream.IntStream;

/** The flow-control table of the report (bench/run --flow): each figure's median (min – max) over the runs, its target. */
final class FlowReport {
    /** The "nodes" column of the flow figures in the results file. */
    static final int FLOW = -2;

    private FlowReport() {
    }

    /** One line; {@code met} {@code null}: a figure without a target. */
    record Row(String metric, String label, String unit, String goal, DoublePredicate met) {
    }

    static final List<Row> ROWS = List.of(
            new Row("flow.unlimited.jobs_per_s", "Trivial HTTP jobs, no limits (same run, same node, same count)", "jobs/s", "", null),
            new Row("flow.keyed.jobs_per_s", "Trivial HTTP jobs, keys bench-0…999, bench-* limited to 2 each", "jobs/s", "", null),
            new Row("flow.keyed_pct", "  limited / unlimited, per run", "%", ">= 70 %", v -> v >= 70),
            new Row("flood.idle_p50_ms", "Lone job of key idle behind 100,000 waiting: submit -> start p50", "ms", "<= 50", v -> v <= 50),
            new Row("flood.idle_max_ms", "  same, slowest lone job (at target)", "ms", "<= 50", v -> v <= 50),
            new Row("flood.idle_db_p50_ms", "  same, database clock p50", "ms", "", null),
            new Row("flood.idle_db_max_ms", "  same, database clock max", "ms", "", null),
            new Row("flood.idle_submit_p50_ms", "  same, its submit answered (after commit) p50", "ms", "", null),
            new Row("flood.idle_submit_max_ms", "  same, its submit answered, slowest", "ms", "", null),
            new Row("flood.busy_waiting_first", "  busy jobs waiting at the first lone submit", "jobs", "", null),
            new Row("flood.busy_waiting_last", "  busy jobs waiting after the last lone submit", "jobs", "", null),
            new Row("rate.per_s", "Rate limit 100/s, 3 nodes: rate over 30 s after the first second", "jobs/s", "95 – 105", v -> v >= 95 && v <= 105),
            new Row("rate.error_pct", "  error", "%", "within ±5", v -> Math.abs(v) <= 5),
            new Row("rate.with_burst_per_s", "  over 30 s from the first arrival (one period's burst included)", "jobs/s", "", null),
            new Row("rate.second_min", "  slowest second of the 30", "jobs", "", null),
            new Row("rate.second_max", "  fastest second of the 30", "jobs", "", null),
            new Row("rate.second_max_at", "  the fastest second began this long after the first arrival", "s", "", null),
            new Row("rate.nodes_used", "  nodes that ran the limited jobs", "", "", null));

    static void print(Map<String, List<Double>> results) {
        Map<String, List<Double>> m = new HashMap<>(results);
        List<Double> unlimited = m.get("flow.unlimited.jobs_per_s");
        List<Double> keyed = m.get("flow.keyed.jobs_per_s");
        if (unlimited != null && keyed != null) { // both figures are written once per run, in run order
            m.put("flow.keyed_pct", IntStream.range(0, Math.min(unlimited.size(), keyed.size()))
                    .mapToObj(i -> 100 * keyed.get(i) / unlimited.get(i)).toList());
        }
        System.out.println();
        System.out.println("Flow control — median (min – max) of " + ResultsReport.runs(results) + " runs");
        String fmt = "| %-66s | %-30s | %-9s | %-4s |%n";
        System.out.printf(fmt, "Figure", "Median (min – max)", "Target", "Met");
        System.out.printf(fmt, "-".repeat(66), "-".repeat(30), "-".repeat(9), "-".repeat(4));
        for (Row r : ROWS) {
            List<Double> v = m.get(r.metric);
            if (v == null) {
                continue;
            }
            double med = Stats.median(v);
            String met = r.met == null ? "" : r.met.test(med) ? "yes" : "NO";
            System.out.printf(fmt, r.label, Stats.num(med) + " " + r.unit + " (" + Stats.num(Collections.min(v)) + " – "
                    + Stats.num(Collections.max(v)) + ")", r.goal, met);
        }
        ResultsReport.cpuTable(results);
    }
}
