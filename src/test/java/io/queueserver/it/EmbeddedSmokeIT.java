package io.queueserver.it;

import jakarta.json.JsonObject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server on its embedded database (no QUEUE_DB_URL): jobs run and the data lives in QUEUE_DATA_DIR. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class EmbeddedSmokeIT {
    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer();
    }

    @Test
    void runsAJobOnTheEmbeddedDatabase() throws Exception {
        try (RecordingTarget target = new RecordingTarget()) {
            Api api = new Api(base);
            long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/smoke?id=__JOBID__") + "\"},"
                    + "\"callback_done\":{\"type\":\"http\",\"url\":\"" + target.url("/smoke-cb") + "\",\"method\":\"POST\"}}");
            JsonObject job = api.awaitFinal(id);
            assertEquals(3, job.getInt("worker_status"), job.toString());
            assertEquals("id=" + id, target.awaitHit("/smoke", 1000).query());
            assertEquals("done", jakarta.json.Json.createReader(new java.io.StringReader(
                    target.awaitHit("/smoke-cb", 10_000).body())).readObject().getString("state"));
            JsonObject status = api.get("/jobs/status").data();
            assertTrue(status.getInt("all_jobs") >= 1);
        }
        Path data = Path.of(System.getenv("QUEUE_DATA_DIR"), "queue.mv.db");
        assertTrue(Files.size(data) > 0, "the embedded database is a file in QUEUE_DATA_DIR: " + data);
    }

    /** The server's JVM runs in Europe/Berlin here (the pom sets TZ): every time is still UTC. */
    @Test
    void timesAreUtcWhateverTheHostsZone() throws Exception {
        assertEquals("Europe/Berlin", System.getenv("TZ"), "this execution runs the server in a non-UTC zone");
        try (RecordingTarget target = new RecordingTarget()) {
            Api api = new Api(base);
            java.time.Instant inHalfAnHour = java.time.Instant.now().plus(java.time.Duration.ofMinutes(30));
            long later = api.add("{\"run_at\":\"" + inHalfAnHour.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/later") + "\"}}");
            long now = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/now") + "\"}}");
            JsonObject done = api.awaitFinal(now);
            java.time.Instant created = java.time.Instant.parse(done.getString("created_at"));
            assertTrue(Math.abs(java.time.Duration.between(created, java.time.Instant.now()).toMinutes()) < 5,
                    "created_at is UTC, not an hour off: " + created);
            Api.sleep(1_500); // more than two ticks of the dispatcher
            JsonObject waiting = api.job(later);
            assertEquals("scheduled", waiting.getString("state"), "a job due in 30 minutes does not run now: " + waiting);
            assertTrue(target.hits("/later").isEmpty());
            assertEquals(inHalfAnHour.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    java.time.Instant.parse(waiting.getString("run_at")).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }
}
