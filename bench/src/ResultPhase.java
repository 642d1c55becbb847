import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Submit -> result through {@code Prefer: wait}: closed loop, a few clients each POST one trivial http job to
 * /jobs with {@code Prefer: wait=30} and time the request until the answer holds the finished job.
 */
final class ResultPhase {
    private static final int CLIENTS = 4;

    private ResultPhase() {
    }

    static void run() throws Exception {
        double seconds = Options.doubleArg("seconds", 8);
        double warmup = Options.doubleArg("warmup", 1);
        TargetServer target = TargetServer.start(Options.intArg("target-port", 8390));
        String context = "result-" + System.currentTimeMillis();
        List<String> urls = Options.urls();
        long measureFrom = System.nanoTime() + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            String url = urls.get(c % urls.size());
            Thread t = new Thread(() -> loop(url, JobsApi.httpJob(context, target.url("/result"), 30), measureFrom, end,
                    micros, errors));
            t.start();
            clients.add(t);
        }
        for (Thread t : clients) {
            t.join();
        }
        target.stop();
        long[] lat = micros.stream().mapToLong(Long::longValue).toArray();
        Options.result("result.p50_ms", Stats.percentile(lat, 50) / 1000.0);
        Options.result("result.p99_ms", Stats.percentile(lat, 99) / 1000.0);
        Options.result("result.samples", lat.length);
        Options.result("result.errors", errors.get());
    }

    private static void loop(String url, String job, long measureFrom, long end, ConcurrentLinkedQueue<Long> micros,
                             AtomicLong errors) {
        byte[] request = KeepAliveClient.request("POST", url, "/jobs", job, "Prefer", "wait=30");
        try (KeepAliveClient http = new KeepAliveClient(url)) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                body.reset();
                try {
                    int status = http.exchange(request, body);
                    long took = (System.nanoTime() - now) / 1000;
                    boolean done = status == 201 && body.toString(StandardCharsets.UTF_8).contains("\"state\":\"done\"");
                    if (!done) {
                        errors.incrementAndGet();
                    } else if (now >= measureFrom) {
                        micros.add(took);
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                    http.close();
                }
            }
        }
    }
}
