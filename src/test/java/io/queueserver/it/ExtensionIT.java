package io.queueserver.it;

import io.queueserver.it.extension.CurrentSpanResource;
import io.queueserver.it.extension.EventRecorder;
import io.queueserver.it.extension.EventRecorderResource;
import io.queueserver.it.extension.ShoutWorker;
import io.queueserver.it.extension.ThrowingObserver;
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

/** A custom worker and CDI observers deployed with the server, without changes to the core. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExtensionIT {
    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer().addClasses(ShoutWorker.class, EventRecorder.class, EventRecorderResource.class,
                ThrowingObserver.class, CurrentSpanResource.class);
    }

    /** With telemetry off (the default), the container builds no span for a request that nobody would read. */
    @Test
    void noServerSpanIsBuiltWhileTelemetryIsOff() {
        Api api = new Api(base);
        for (int i = 0; i < 3; i++) {
            Api.Answer answer = api.get("/test-span");
            assertEquals(200, answer.status(), answer.body());
            assertEquals("false", answer.body().trim(), "a span was current in the resource method");
        }
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

    /**
     * An observer that throws on every JobSubmitted, JobStarted and JobFinished of its jobs: submits are still answered
     * 201 with the job stored, every job runs and ends done, no slot is lost (three times as many jobs as slots), the
     * server's own observers (metrics, the cancel that aborts a running request) still see every event, and the
     * server goes on serving.
     */
    @Test
    void anObserverThatThrowsChangesNothingForTheJobs() throws Exception {
        Api api = new Api(base);
        int slots = api.get("/jobs/status").object().getJsonObject("data").getInt("max_threads");
        assertTrue(slots > 0);
        double doneBefore = api.metric("queue_jobs_finished_total", "outcome=\"done\"");
        int thrownBefore = Integer.parseInt(api.get("/test-events/thrown").body());
        String context = "\"context\":\"" + ThrowingObserver.CONTEXT + "\"";
        List<Long> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 3 * slots; i++) {
            Api.Answer created = api.postJson("/jobs", "{" + context + ",\"command\":{\"type\":\"shout\",\"text\":\"t" + i + "\"}}");
            assertEquals(201, created.status(), created.body());
            long id = created.object().getJsonNumber("id").longValue();
            assertEquals(200, api.get("/jobs/" + id).status(), "job " + id + " stored");
            ids.add(id);
        }
        for (long id : ids) {
            JsonObject job = api.awaitFinal(id);
            assertEquals("done", job.getString("state"), job.toString());
            assertEquals("T" + ids.indexOf(id) + " (job " + id + ")", job.getString("output"));
        }
        assertEquals(doneBefore + ids.size(), api.metric("queue_jobs_finished_total", "outcome=\"done\""),
                "the server's own observers saw every JobFinished");

        try (RecordingTarget target = new RecordingTarget()) {
            long running = api.add("{" + context + ",\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/trickle?ms=60000") + "\",\"timeout\":120}}");
            api.awaitJob(running, j -> j.getString("state").equals("working"), Duration.ofSeconds(30));
            target.awaitHit("/trickle", 30_000);
            Api.Answer cancel = api.postJson("/jobs/" + running + "/cancel", "");
            assertEquals(200, cancel.status(), cancel.body());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (target.aborted.isEmpty() && System.nanoTime() < deadline) {
                Api.sleep(20);
            }
            assertEquals(1, target.aborted.size(), "the cancel aborted the running request at once");
            api.awaitJob(running, j -> j.getString("state").equals("cancelled"), Duration.ofSeconds(10));
        }

        assertEquals(3 * (ids.size() + 1), Integer.parseInt(api.get("/test-events/thrown").body()) - thrownBefore,
                "the observer threw on every event of its jobs");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (api.metric("queue_jobs_running") > 0 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        assertEquals(0.0, api.metric("queue_jobs_running"), "every slot was given back");
        assertEquals(200, api.get("/jobs/status").status(), "the server goes on serving");
    }
}
