import java.util.Map;

/**
 * Trivial HTTP jobs end to end: submits {@code --jobs} jobs that call the target (batches of 500 spread over the
 * nodes) and waits until they are all finished. Also reports the CPU per job of every process involved. With
 * {@code --keys N} job i has the concurrency key {@code bench-<i mod N>}, and {@code --key-limit JSON} is set as the
 * rule {@code bench-*} for the phase; {@code --metric} names the figures ({@code trivial} by default).
 */
final class TrivialPhase {
    private TrivialPhase() {
    }

    static void run() throws Exception {
        int timeout = Options.intArg("timeout", 30);
        int keys = Options.intArg("keys", 0);
        String metric = Options.arg("metric", "trivial");
        String keyLimit = Options.arg("key-limit", null);
        String node = Options.urls().get(0);
        if (keyLimit != null) {
            JobsApi.limits(node, "PUT", "bench-*", "", keyLimit);
        }
        try (HttpJobRun run = new HttpJobRun("trivial", 8390)) {
            int jobs = run.jobs;
            CpuMeter cpu = CpuMeter.start(run.target);
            long t0 = System.nanoTime();
            if (keys > 0) {
                run.submit("/t?job=__JOBID__", 30, 500, i -> "bench-" + i % keys);
            } else {
                run.submit("/t?job=__JOBID__", 30, 500);
            }
            long submitted = System.nanoTime();
            long deadline = t0 + timeout * 1_000_000_000L;
            long[] counts = new long[2];
            while (System.nanoTime() < deadline) {
                counts = run.finishedCounts();
                if (counts[0] + counts[1] >= jobs) {
                    break;
                }
                Thread.sleep(50);
            }
            long t1 = System.nanoTime();
            Map<String, Double> used = cpu.stop(metric);
            long finished = counts[0] + counts[1];
            double rate = counts[0] / ((t1 - t0) / 1e9);
            if (finished >= jobs) {
                // precise span on the database clock: first job stored -> last job finished
                long span = JobTable.spanMicros(run.db, run.context);
                if (span > 0) {
                    rate = counts[0] / (span / 1e6);
                }
            }
            Options.result(metric + ".jobs_per_s", rate);
            Options.result(metric + ".submit_s", (submitted - t0) / 1e9);
            Options.result(metric + ".failed", counts[1]);
            Options.result(metric + ".unfinished", jobs - finished);
            Options.result(metric + ".target_hits", run.target.hits.get());
            // CPU milliseconds per finished job, from submitting the first job to seeing the last one finished
            if (finished > 0) {
                double total = 0;
                for (var e : used.entrySet()) {
                    Options.result(metric + ".cpu_ms_per_job." + e.getKey(), 1000 * e.getValue() / finished);
                    total += e.getValue();
                }
                Options.result(metric + ".cpu_ms_per_job", 1000 * total / finished);
            }
        } finally {
            if (keyLimit != null) {
                JobsApi.limits(node, "DELETE", "bench-*", "", "");
            }
        }
    }
}
