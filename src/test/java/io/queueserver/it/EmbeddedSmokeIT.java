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
}
