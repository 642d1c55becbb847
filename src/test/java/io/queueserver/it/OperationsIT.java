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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The application's checks in Payara's /health and its metrics in /metrics. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OperationsIT {
    @ArquillianResource
    URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer();
    }

    @Test
    void healthAndMetrics() throws Exception {
        Api api = new Api(base);
        JsonObject ready = api.get("/health/ready").object();
        assertEquals("UP", ready.getString("status"), ready.toString());
        assertTrue(ready.toString().contains("queue-database"), ready.toString());
        JsonObject live = api.get("/health/live").object();
        assertEquals("UP", live.getString("status"), live.toString());
        assertTrue(live.toString().contains("queue-dispatcher"), live.toString());

        try (RecordingTarget target = new RecordingTarget()) {
            api.awaitFinal(api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/m") + "\"}}"));
        }
        String metrics = api.get("/metrics?scope=application").body();
        for (String name : new String[] {"queue_jobs_submitted_total", "queue_jobs_started_total",
                "queue_jobs_finished_total", "queue_jobs_waiting", "queue_jobs_running", "queue_job_duration"}) {
            assertTrue(metrics.contains(name), name + " missing from:\n" + metrics);
        }
        assertTrue(metrics.contains("outcome=\"done\""), metrics);
    }
}
