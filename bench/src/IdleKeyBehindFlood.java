/**
 * Fairness between keys: {@code --jobs} (100,000) trivial jobs of the key {@code busy} are stored while that key is
 * paused (so they are all waiting when it is released, instead of draining while they are submitted); then, while
 * the flood drains, {@code --lone} jobs of the key {@code idle}, one every {@code --spacing-ms}, each timed from its
 * submit to its call at the target, and on the database clock.
 */
final class IdleKeyBehindFlood {
    private IdleKeyBehindFlood() {
    }

    static void run() throws Exception {
        int lone = Options.intArg("lone", 10);
        int spacingMillis = Options.intArg("spacing-ms", 400);
        int timeout = Options.intArg("timeout", 120);
        String node = Options.urls().get(0);
        try (HttpJobRun flood = new HttpJobRun("flood", 8390);
             KeepAliveClient http = new KeepAliveClient(node)) {
            String idleContext = flood.context + "-idle";
            JobsApi.limits(node, "POST", "busy", "/pause", "");
            try {
                flood.submit("/t", 30, 1000, i -> "busy");
            } finally {
                JobsApi.limits(node, "DELETE", "busy", "", "");
            }
            long released = System.nanoTime();
            while (flood.target.hits.get() == 0 && System.nanoTime() - released < 10_000_000_000L) {
                Thread.sleep(5);
            }
            Options.result("flood.busy_waiting_first", JobTable.waiting(flood.db, "busy"));
            long[] submits = new long[lone];
            for (int i = 0; i < lone; i++) {
                Thread.sleep(spacingMillis);
                long sent = System.nanoTime();
                String job = JobsApi.httpJob(idleContext, "idle", flood.target.url("/lat?t=" + sent), 30);
                if (http.exchange(KeepAliveClient.request("POST", node, "/jobs/add", job), null) != 200) {
                    throw new IllegalStateException("a lone job was refused");
                }
                submits[i] = (System.nanoTime() - sent) / 1000;
            }
            Options.result("flood.idle_submit_p50_ms", Stats.percentile(submits, 50) / 1000.0);
            Options.result("flood.idle_submit_max_ms", Stats.percentile(submits, 100) / 1000.0);
            Options.result("flood.busy_waiting_last", JobTable.waiting(flood.db, "busy"));
            long deadline = System.nanoTime() + timeout * 1_000_000_000L;
            long[] counts = flood.finishedCounts();
            while (counts[0] + counts[1] < flood.jobs && System.nanoTime() < deadline) {
                Thread.sleep(100);
                counts = flood.finishedCounts();
            }
            long[] lat = flood.target.latencies.stream().mapToLong(Long::longValue).toArray();
            Options.result("flood.idle_p50_ms", Stats.percentile(lat, 50) / 1000.0);
            Options.result("flood.idle_max_ms", Stats.percentile(lat, 100) / 1000.0);
            Options.result("flood.idle_missing", lone - lat.length);
            long[] db = JobTable.startDelaysMicros(flood.db, idleContext).stream().mapToLong(Long::longValue).toArray();
            Options.result("flood.idle_db_p50_ms", Stats.percentile(db, 50) / 1000.0);
            Options.result("flood.idle_db_max_ms", Stats.percentile(db, 100) / 1000.0);
            Options.result("flood.busy_unfinished", flood.jobs - counts[0] - counts[1]);
        }
    }
}
