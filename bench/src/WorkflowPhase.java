import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A 1,000-job workflow in one request: a parked root (a day ahead, so nothing runs) and 999 jobs depending on it,
 * POSTed to /workflows one after the other on one connection; the time of each request until its 201.
 */
final class WorkflowPhase {
    static final int JOBS = 1000;

    private WorkflowPhase() {
    }

    static void run() throws Exception {
        int rounds = Options.intArg("rounds", 10);
        String url = Options.urls().get(0);
        StringBuilder body = new StringBuilder("{\"context\":\"bench-workflow\",\"jobs\":[{\"name\":\"root\",\"delay\":86400,"
                + "\"command\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8399/never\",\"timeout\":5}}");
        for (int i = 1; i < JOBS; i++) {
            body.append(",{\"name\":\"n").append(i).append("\",\"depends_on\":[\"root\"],\"command\":{\"type\":\"http\","
                    + "\"url\":\"http://127.0.0.1:8399/never?v=__PARENT_OUTPUT__{root}\",\"timeout\":5}}");
        }
        byte[] request = KeepAliveClient.request("POST", url, "/workflows", body.append("]}").toString());
        List<Long> micros = new ArrayList<>();
        long errors = 0;
        try (KeepAliveClient http = new KeepAliveClient(url)) {
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            for (int r = 0; r < rounds + 1; r++) {
                answer.reset();
                long start = System.nanoTime();
                try {
                    if (http.exchange(request, answer) != 201) {
                        errors++;
                    } else if (r > 0) { // the first warms the route up
                        micros.add((System.nanoTime() - start) / 1000);
                    }
                } catch (IOException e) {
                    errors++;
                    http.close();
                }
            }
        }
        long[] v = micros.stream().mapToLong(Long::longValue).toArray();
        Options.result("workflow.submit_p50_ms", Stats.percentile(v, 50) / 1000.0);
        Options.result("workflow.submit_max_ms", Stats.percentile(v, 100) / 1000.0);
        Options.result("workflow.errors", errors);
    }
}
