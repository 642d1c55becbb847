import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Long jobs: N jobs whose target holds each request {@code --hold} seconds; are they all in flight at once? */
final class LongJobsCheck {
    private LongJobsCheck() {
    }

    static void run() throws Exception {
        int hold = Options.intArg("hold", 30);
        long pid = Long.parseLong(Options.arg("server-pids", "0").split(",")[0]);
        try (HttpJobRun run = new HttpJobRun("long", 8391)) {
            int jobs = run.jobs;
            TargetServer target = run.target;
            long t0 = System.nanoTime();
            run.submit("/hold?s=" + hold, hold * 4, 1000);
            Options.result("long.submit_s", (System.nanoTime() - t0) / 1e9);
            long peakThreads = 0;
            long peakRss = 0;
            double allInFlightAt = -1;
            long heapAtPeak = -1;
            long deadline = t0 + (hold * 3L + 30) * 1_000_000_000L;
            long[] counts = new long[2];
            long lastPrint = 0;
            while (System.nanoTime() < deadline) {
                long inflight = target.inflight.get();
                peakThreads = Math.max(peakThreads, ProcFs.status(pid, "Threads"));
                peakRss = Math.max(peakRss, ProcFs.status(pid, "VmRSS"));
                if (allInFlightAt < 0 && inflight >= jobs) {
                    allInFlightAt = (System.nanoTime() - t0) / 1e9;
                    heapAtPeak = heapUsedKiB(pid);
                }
                if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.err.printf(Locale.ROOT,
                            "  long: %5.1f s  in flight at target %d (peak %d)  server threads %d  RSS %d MiB%n",
                            (lastPrint - t0) / 1e9, inflight, target.peak.get(), ProcFs.status(pid, "Threads"),
                            ProcFs.status(pid, "VmRSS") / 1024);
                }
                if (target.hits.get() >= jobs && target.inflight.get() == 0) {
                    counts = run.finishedCounts();
                    if (counts[0] + counts[1] >= jobs) {
                        break;
                    }
                }
                Thread.sleep(200);
            }
            counts = run.finishedCounts();
            Options.result("long.peak_in_flight", target.peak.get());
            Options.result("long.all_in_flight_after_s", allInFlightAt);
            Options.result("long.peak_server_threads", peakThreads);
            Options.result("long.peak_rss_mib", peakRss / 1024.0);
            Options.result("long.heap_used_at_peak_mib", heapAtPeak / 1024.0);
            Options.result("long.done", counts[0]);
            Options.result("long.failed", counts[1]);
            Options.result("long.total_s", (System.nanoTime() - t0) / 1e9);
        }
    }

    static long heapUsedKiB(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(20, TimeUnit.SECONDS);
            var m = Pattern.compile("used (\\d+)K").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
