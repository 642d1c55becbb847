package io.queueserver.it;

import io.queueserver.it.extension.EventRecorder;
import io.queueserver.it.extension.EventRecorderResource;
import io.queueserver.it.extension.ShoutWorker;
import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A custom worker and a CDI observer deployed with the server, without changes to the core. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExtensionIT {
    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer().addClasses(ShoutWorker.class, EventRecorder.class, EventRecorderResource.class);
    }

    @Test
    void aCustomJobTypeRunsAndObserversSeeEveryEvent() {
        Api api = new Api(base);
        long ok = api.add("{\"command\":{\"type\":\"shout\",\"text\":\"hello\"}}");
        long bad = api.add("{\"command\":{\"type\":\"shout\",\"text\":\"\"}}");
        JsonObject done = api.awaitFinal(ok);
        assertEquals(3, done.getInt("worker_status"));
        assertEquals("HELLO (job " + ok + ")", done.getString("output"));
        assertEquals(0, done.getInt("return_code"));
        JsonObject failed = api.awaitFinal(bad);
        assertEquals(99, failed.getInt("worker_status"));
        assertEquals("nothing to shout", failed.getString("error"));

        Api.Answer invalid = api.postJson("/jobs/add", "{\"command\":{\"type\":\"shout\"}}");
        assertEquals(400, invalid.status());
        assertEquals("command.text", invalid.object().getString("field"));
        assertEquals("command.type", api.postJson("/jobs/add", "{\"command\":{\"type\":\"whisper\"}}")
                .object().getString("field"), "unknown types are still refused");

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = List.of(api.get("/test-events").body().split("\n"));
            if (seen.contains("async finished " + bad + " failed")) {
                break;
            }
            Api.sleep(50);
        }
        for (String expected : List.of("submitted " + ok + " shout", "started " + ok + " attempt 1",
                "finished " + ok + " done", "async finished " + ok + " done", "finished " + bad + " failed",
                "async finished " + bad + " failed")) {
            assertTrue(seen.contains(expected), expected + " in " + seen);
        }
        // submitted and started come from different threads (the dispatcher may claim before the submitter's event)
        assertTrue(seen.indexOf("started " + ok + " attempt 1") < seen.indexOf("finished " + ok + " done"));
    }
}
