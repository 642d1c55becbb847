package io.queueserver.api;

import io.queueserver.core.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The submit's trace context, continued or started, and where it is written. */
class TraceContextTest {
    @Test
    void aValidParentIsContinuedAndABadOneReplaced() {
        TraceContext continued = TraceContext.of("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "a=1");
        assertTrue(continued.traceparent().startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assertFalse(continued.traceparent().contains("00f067aa0ba902b7"), "a span id of its own");
        assertEquals("a=1", continued.tracestate());
        for (String bad : new String[] {null, "", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-xyz-1-01"}) {
            TraceContext started = TraceContext.of(bad, "a=1");
            assertTrue(started.traceparent().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), started.traceparent());
            assertNull(started.tracestate(), "a tracestate without its parent is dropped");
        }
    }

    @Test
    void httpCommandsAndCallbacksGetTheHeadersOthersDoNot() {
        TraceContext trace = TraceContext.of(null, null);
        JsonObject job = trace.into(Json.parse("{\"command\":{\"type\":\"http\",\"url\":\"http://x/\"},"
                + "\"callback_failed\":{\"type\":\"http\",\"url\":\"http://y/\",\"headers\":{\"TraceParent\":\"mine\"}},"
                + "\"callback_done\":{\"type\":\"exec\",\"cmd\":\"/bin/true\"}}"));
        assertEquals(trace.traceparent(), job.getJsonObject("command").getJsonObject("headers").getString("traceparent"));
        assertEquals("mine", job.getJsonObject("callback_failed").getJsonObject("headers").getString("TraceParent"),
                "a header the job sets itself stays");
        assertFalse(job.getJsonObject("callback_done").containsKey("headers"), "exec commands are left alone");
    }
}
