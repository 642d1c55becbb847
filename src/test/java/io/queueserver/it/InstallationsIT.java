package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two installations started the default way side by side on one machine, each on its own database: they form no
 * data grid together, and cancelling a job on one never touches the job of the same id on the other.
 */
class InstallationsIT {
    static ScratchDatabase databaseA;
    static ScratchDatabase databaseB;
    static ClusterNodes a;
    static ClusterNodes b;
    static RecordingTarget target;
    static Api apiA;
    static Api apiB;

    @BeforeAll
    static void start() throws Exception {
        databaseA = ScratchDatabase.create("install_a");
        databaseB = ScratchDatabase.create("install_b");
        target = new RecordingTarget();
        a = ClusterNodes.standalone(databaseA.url());
        b = ClusterNodes.standalone(databaseB.url());
        ClusterNodes.Node nodeA = a.start(0);
        ClusterNodes.Node nodeB = b.start(1);
        a.awaitUp(nodeA, Duration.ofMinutes(4));
        b.awaitUp(nodeB, Duration.ofMinutes(4));
        apiA = new Api(new URL(nodeA.base().toString()));
        apiB = new Api(new URL(nodeB.base().toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (ClusterNodes nodes : new ClusterNodes[] {a, b}) {
            if (nodes != null) {
                nodes.close();
            }
        }
        if (target != null) {
            target.close();
        }
        databaseA.drop();
        databaseB.drop();
    }

    @Test
    void aCancelOnOneInstallationNeverAbortsTheOthersJob() throws Exception {
        long onA = apiA.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=4000&on=a") + "\"}}");
        long onB = apiB.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/hold?ms=4000&on=b") + "\"}}");
        assertEquals(onA, onB, "the same id in both databases: exactly the case that once crossed over");
        apiA.awaitJob(onA, j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        apiB.awaitJob(onB, j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        assertEquals(200, apiB.postJson("/jobs/" + onB + "/cancel", "{}").status());
        assertEquals("cancelled", apiB.job(onB).getString("state"));
        assertEquals("done", apiA.awaitFinal(onA).getString("state"), "installation A's job ran to its end");
        for (int i = 0; i < 2; i++) {
            String log = Files.readString(Path.of("target", (i == 0 ? a : b).logName(i)));
            assertFalse(log.contains("DG Size: 2"), "no shared data grid: " + (i == 0 ? "A" : "B"));
            assertFalse(log.contains("(2 members)"), "no shared data grid: " + (i == 0 ? "A" : "B"));
        }
        assertTrue(target.hits("/hold").stream().anyMatch(h -> h.query().contains("on=a")));
    }
}
