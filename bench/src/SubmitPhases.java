import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The submit phases, closed loops of parked jobs (due in a day, so nothing runs meanwhile): {@code submits} is one
 * job per POST /jobs/add, {@code batch} is {@code --size} jobs per POST /jobs.
 */
final class SubmitPhases {
    private SubmitPhases() {
    }

    static void submits() throws Exception {
        int conns = Options.intArg("conns", 64);
        byte[][] perUrl = Options.urls().stream()
                .map(u -> KeepAliveClient.request("POST", u, "/jobs/add", JobsApi.PARKED_JOB)).toArray(byte[][]::new);
        Closed result = closedLoop("submits", conns, perUrl, 200, 1);
        Options.result("submits.per_s", result.rate);
        Options.result("submits.req_p50_ms", result.p(50));
        Options.result("submits.req_p99_ms", result.p(99));
        Options.result("submits.errors", result.errors);
    }

    static void batch() throws Exception {
        int size = Options.intArg("size", 1000);
        int conns = Options.intArg("conns", 4);
        String body = JobsApi.batchBody(JobsApi.PARKED_JOB.replace("bench-submit", "bench-batch"), size);
        byte[][] perUrl = Options.urls().stream()
                .map(u -> KeepAliveClient.request("POST", u, "/jobs", body)).toArray(byte[][]::new);
        Closed result = closedLoop("batch", conns, perUrl, 201, size);
        Options.result("batch.jobs_per_s", result.rate);
        Options.result("batch.req_p50_ms", result.p(50));
        Options.result("batch.errors", result.errors);
    }

    /** Jobs per second over the window, requests that failed, and the latency of each answered request. */
    record Closed(double rate, long errors, long[] latenciesMicros) {
        double p(double pct) {
            return Stats.percentile(latenciesMicros, pct) / 1000.0;
        }
    }

    /** {@code conns} connections, each sending its request again as soon as the answer is in; jobs per second. */
    static Closed closedLoop(String phase, int conns, byte[][] requests, int okStatus, int jobsPerRequest)
            throws Exception {
        List<String> urls = Options.urls();
        double warmup = Options.doubleArg("warmup", 1);
        double seconds = Options.doubleArg("seconds", 5);
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long measureTo = measureFrom + (long) (seconds * 1e9);
        LongAdder ok = new LongAdder();
        LongAdder errors = new LongAdder();
        ConcurrentLinkedQueue<long[]> lat = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(conns);
        for (int c = 0; c < conns; c++) {
            int which = c % urls.size();
            Thread t = new Thread(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                try (KeepAliveClient http = new KeepAliveClient(urls.get(which))) {
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
        Stats.sleepUntil(measureFrom);
        CpuMeter cpu = CpuMeter.start();
        Stats.sleepUntil(measureTo);
        cpu.stop(phase);
        done.await(60, TimeUnit.SECONDS);
        long[] all = lat.stream().flatMapToLong(Arrays::stream).toArray();
        return new Closed(ok.sum() / seconds, errors.sum(), all);
    }
}
