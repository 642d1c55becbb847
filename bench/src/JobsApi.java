import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/** The server's HTTP API as the load generator uses it: job JSON, batch bodies, submitting N jobs. */
final class JobsApi {
    /** A job that is accepted and stored but does not run during the measurement (it is due in a day). */
    static final String PARKED_JOB = "{\"priority\":500,\"context\":\"bench-submit\",\"delay\":86400,"
            + "\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8399/never\",\"timeout\":5}}";

    private JobsApi() {
    }

    /** An HTTP job of {@code context} that calls {@code url} on the target. */
    static String httpJob(String context, String url, int timeoutSeconds) {
        return "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":\"" + url + "\",\"timeout\":"
                + timeoutSeconds + "}}";
    }

    /** The body of POST /jobs: a JSON array of {@code n} copies of {@code job}. */
    static String batchBody(String job, int n) {
        return Collections.nCopies(n, job).stream().collect(Collectors.joining(",", "[", "]"));
    }

    /** Submits {@code jobs} copies of {@code job} with POST /jobs in batches of {@code size}, one thread per node. */
    static void submitInBatches(String job, int jobs, int size) throws InterruptedException {
        List<String> urls = Options.urls();
        List<Thread> threads = new ArrayList<>();
        AtomicInteger left = new AtomicInteger(jobs);
        AtomicLong errors = new AtomicLong();
        for (String url : urls) {
            Thread t = new Thread(() -> {
                try (KeepAliveClient http = new KeepAliveClient(url)) {
                    int n;
                    while ((n = Math.min(size, left.getAndAdd(-size))) > 0) {
                        byte[] request = KeepAliveClient.request("POST", url, "/jobs", batchBody(job, n));
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
