import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submit -> start latency, open loop: one job every 1/rate seconds over /jobs/add; the job calls the target, whose
 * URL carries the send time, so the target measures submit (request sent) -> job started (target hit) on one clock.
 * The same is read from the database clock (time_started - time_added).
 */
final class LatencyPhase {
    private static final int SENDERS = 16;

    private LatencyPhase() {
    }

    static void run() throws Exception {
        int rate = Options.intArg("rate", 100);
        double seconds = Options.doubleArg("seconds", 8);
        double warmup = Options.doubleArg("warmup", 1);
        TargetServer target = TargetServer.start(Options.intArg("target-port", 8390));
        String context = "latency-" + System.currentTimeMillis();
        List<String> urls = Options.urls();
        LinkedBlockingQueue<Long> due = new LinkedBlockingQueue<>();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            String url = urls.get(s % urls.size());
            Thread t = new Thread(() -> send(url, context, target, due, errors));
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long period = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        target.latencyFrom = measureFrom;
        CpuMeter cpu = null;
        long sent = 0;
        for (long next = start; next < end; next += period) {
            Stats.sleepUntil(next);
            if (cpu == null && next >= measureFrom) {
                cpu = CpuMeter.start(target);
            }
            due.add(next);
            if (next >= measureFrom) {
                sent++;
            }
        }
        for (int s = 0; s < SENDERS; s++) {
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
        Options.result("latency.p50_ms", Stats.percentile(lat, 50) / 1000.0);
        Options.result("latency.p95_ms", Stats.percentile(lat, 95) / 1000.0);
        Options.result("latency.p99_ms", Stats.percentile(lat, 99) / 1000.0);
        Options.result("latency.max_ms", Stats.percentile(lat, 100) / 1000.0);
        Options.result("latency.samples", lat.length);
        Options.result("latency.missing", sent - lat.length);
        Options.result("latency.errors", errors.get());
        try (Connection db = DriverManager.getConnection(Options.jdbc())) {
            List<Long> v = JobTable.startDelaysMicros(db, context);
            int skip = Math.min(v.size(), (int) (warmup * rate));
            long[] d = v.subList(skip, v.size()).stream().mapToLong(Long::longValue).toArray();
            Options.result("latency.db_p50_ms", Stats.percentile(d, 50) / 1000.0);
            Options.result("latency.db_p99_ms", Stats.percentile(d, 99) / 1000.0);
        }
    }

    /** A sender thread: takes send times off {@code due} (negative: stop) and submits one job for each. */
    private static void send(String url, String context, TargetServer target, LinkedBlockingQueue<Long> due,
                             AtomicLong errors) {
        try (KeepAliveClient http = new KeepAliveClient(url)) {
            while (true) {
                long sendAt = due.take();
                if (sendAt < 0) {
                    return;
                }
                long now = System.nanoTime();
                String body = JobsApi.httpJob(context, target.url("/lat?t=" + now), 30);
                try {
                    if (http.exchange(KeepAliveClient.request("POST", url, "/jobs/add", body), null) != 200) {
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
    }
}
