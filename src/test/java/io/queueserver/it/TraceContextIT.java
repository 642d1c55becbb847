package io.queueserver.it;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** W3C trace context from the submit to the job's request and its callback, on a real local target. */
class TraceContextIT extends DeployedServerTest {
    static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private String job(String path) {
        return "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"},"
                + "\"callback_done\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url(path + "-cb") + "\"}}";
    }

    @Test
    void theSubmitsTraceContinuesToTheTargetAndTheCallback() {
        String incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Api.Answer a = api.postJson("/jobs", job("/tc-continued"), "traceparent", incoming, "tracestate", "vendor=1");
        assertEquals(201, a.status(), a.body());
        RecordingTarget.Hit request = target.awaitHit("/tc-continued", 10_000);
        RecordingTarget.Hit callback = target.awaitHit("/tc-continued-cb", 20_000);
        for (RecordingTarget.Hit hit : new RecordingTarget.Hit[] {request, callback}) {
            String sent = hit.header("traceparent");
            assertTrue(sent != null && TRACEPARENT.matcher(sent).matches(), hit.path() + ": " + sent);
            assertTrue(sent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"), "the same trace: " + sent);
            assertNotEquals(incoming, sent, "a span of the server's own");
            assertEquals("vendor=1", hit.header("tracestate"));
        }
    }

    @Test
    void aSubmitWithoutATraceStartsOneAndABadOneIsReplaced() {
        api.add(job("/tc-new"));
        String started = target.awaitHit("/tc-new", 10_000).header("traceparent");
        assertTrue(started != null && TRACEPARENT.matcher(started).matches(), started);
        String callback = target.awaitHit("/tc-new-cb", 20_000).header("traceparent");
        assertEquals(started.substring(3, 35), callback.substring(3, 35), "request and callback share the trace");
        Api.Answer bad = api.postJson("/jobs", job("/tc-bad"), "traceparent", "00-zzzz-1-01");
        assertEquals(201, bad.status());
        String replaced = target.awaitHit("/tc-bad", 10_000).header("traceparent");
        assertTrue(TRACEPARENT.matcher(replaced).matches(), replaced);
    }
}
