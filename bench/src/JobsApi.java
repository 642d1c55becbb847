import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The server's HTTP API as the load generator uses it: job JSON, batch bodies, submitting N jobs. */
final class JobsApi {
    /** A job that is accepted and stored but does not run during the measurement (it is due in a day). */
    static final String PARKED_JOB = "{\"priority\":500,\"context\":\"bench-submit\",\"delay\":86400,"
            + "\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8399/never\",\"timeout\":5}}";

    private JobsApi() {
    }

    /** An HTTP job of {@code context} that calls {@code url} on the target. */
    static String httpJob(String context, String url, int timeoutSeconds) {
        return httpJob(context, null, url, timeoutSeconds);
    }

    /** The same with a {@code concurrency_key} ({@code null}: none, the key is the context). */
    static String httpJob(String context, String concurrencyKey, String url, int timeoutSeconds) {
        return "{\"context\":\"" + context + "\","
                + (concurrencyKey == null ? "" : "\"concurrency_key\":\"" + concurrencyKey + "\",")
                + "\"command\":{\"type\":\"http\",\"url\":\"" + url + "\",\"timeout\":" + timeoutSeconds + "}}";
    }

    /**
     * {@code method /limits/<key><action>} with {@code body} on the node at {@code url} (action: "" or "/pause");
     * a flow-control rule the phase needs, so anything but 2xx fails the phase.
     */
    static void limits(String url, String method, String key, String action, String body) throws IOException {
        try (KeepAliveClient http = new KeepAliveClient(url)) {
            int status = http.exchange(KeepAliveClient.request(method, url, "/limits/" + key + action, body), null);
            if (status / 100 != 2) {
                throw new IllegalStateException(method + " /limits/" + key + action + " answered " + status);
            }
        }
    }

    /** The body of POST /jobs: a JSON array of {@code n} copies of {@code job}. */
    static String batchBody(String job, int n) {
        return Collections.nCopies(n, job).stream().collect(Collectors.joining(",", "[", "]"));
    }

    /** Submits {@code jobs} copies of {@code job} with POST /jobs in batches of {@code size}, one thread per node. */
    static void submitInBatches(String job, int jobs, int size) throws InterruptedException {
        submitInBatches(i -> job, jobs, size);
    }

    /** Submits jobs {@code 0 … jobs-1} ({@code jobAt} gives each one's JSON) in batches of {@code size}. */
    static void submitInBatches(IntFunction<String> jobAt, int jobs, int size) throws InterruptedException {
        List<String> urls = Options.urls();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(jobs);
        AtomicLong errors = new AtomicLong();
        for (String url : urls) {
            Thread t = new Thread(() -> {
                try (KeepAliveClient http = new KeepAliveClient(url)) {
                    int before;
                    while ((before = left.getAndAdd(-size)) > 0) {
                        int from = jobs - before;
                        String body = IntStream.range(from, from + Math.min(size, before)).mapToObj(jobAt)
                                .collect(Collectors.joining(",", "[", "]"));
                        byte[] request = KeepAliveClient.request("POST", url, "/jobs", body);
                        if (http.exchange(request, null) != 201) {
                            errors.incrementAndGet();
                        }
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (errors.get() > 0) {
            System.err.println("submit errors: " + errors.get());
        }
    }
}
