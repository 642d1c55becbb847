import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A rate limit across the nodes: the rule {@code bench-rate} gets {@code --per-second} (100) as its rate, then {@code --jobs} jobs
 * of that key, submitted over every node, call the target's {@code /arrive}. The rate is counted at the target over
 * {@code --seconds} (30) after the first second (the full bucket's burst of one period comes at once), and over the
 * same length from the first arrival, burst included.
 */
final class RateLimitCheck {
    private static final String KEY = "bench-rate";

    private RateLimitCheck() {
    }

    static void run() throws Exception {
        int perSecondTarget = Options.intArg("per-second", 100);
        int seconds = Options.intArg("seconds", 30);
        String node = Options.urls().get(0);
        JobsApi.limits(node, "PUT", KEY, "", "{\"rate\":\"" + perSecondTarget + "/s\"}");
        try (HttpJobRun run = new HttpJobRun("rate", 8390)) {
            Thread.sleep(2000); // every node reads the rule within a second
            run.submit("/arrive", 30, 1000, i -> KEY);
            long deadline = System.nanoTime() + (seconds + 10) * 1_000_000_000L;
            while (run.target.arrivals.size() < run.jobs && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long[] at = run.target.arrivals.stream().mapToLong(Long::longValue).sorted().toArray();
            if (at.length == 0) {
                throw new IllegalStateException("no job of " + KEY + " reached the target");
            }
            long first = at[0];
            long second = 1_000_000_000L;
            long[] perSecond = new long[seconds];
            for (long t : at) {
                int s = (int) ((t - first - second) / second);
                if (t - first >= second && s < seconds) {
                    perSecond[s]++;
                }
            }
            double measured = Arrays.stream(perSecond).sum() / (double) seconds;
            Options.result("rate.per_s", measured);
            Options.result("rate.error_pct", 100.0 * (measured - perSecondTarget) / perSecondTarget);
            Options.result("rate.with_burst_per_s", Arrays.stream(at).filter(t -> t - first < seconds * second).count()
                    / (double) seconds);
            Options.result("rate.second_min", Arrays.stream(perSecond).min().orElse(0));
            int fastest = IntStream.range(0, seconds).reduce((a, b) -> perSecond[b] > perSecond[a] ? b : a).orElse(0);
            Options.result("rate.second_max", perSecond[fastest]);
            Options.result("rate.second_max_at", fastest + 1); // seconds after the first arrival
            Options.result("rate.arrived", at.length);
            Options.result("rate.nodes_used", JobTable.owners(run.db, run.context));
        } finally {
            JobsApi.limits(node, "DELETE", KEY, "", "");
        }
    }
}
