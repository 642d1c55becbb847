package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every way a job enters, moves or leaves keeps the counts per state that the status routes and the dashboard read:
 * submits (waiting, scheduled, a taken unique key), runs that end done, retry and fail, cancels of waiting and
 * running jobs, manual and bulk retries, run-now of a scheduled job, and deletes.
 */
class StateCountsIT extends DeployedServerTest {

    private String http(String path) {
        return "{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}";
    }

    @Test
    void everyMoveKeepsTheCounts() throws Exception {
        long done = api.add("{\"context\":\"counts\",\"command\":" + http("/counted") + "}");
        long failing = api.add("{\"context\":\"counts\",\"max_attempts\":2,\"command\":" + http("/fail") + "}");
        long scheduled = api.add("{\"context\":\"counts\",\"delay\":3600,\"command\":" + http("/later") + "}");
        long runNow = api.add("{\"context\":\"counts\",\"delay\":3600,\"command\":" + http("/run-now") + "}");
        long unique = api.add("{\"context\":\"counts\",\"delay\":3600,\"unique_key\":\"counts-1\",\"command\":"
                + http("/unique") + "}");
        assertEquals(unique, api.add("{\"context\":\"counts\",\"delay\":3600,\"unique_key\":\"counts-1\",\"command\":"
                + http("/unique") + "}"), "a taken key stores nothing");
        long running = api.add("{\"context\":\"counts\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/block?who=counts") + "\",\"timeout\":60}}");
        long deleted = api.add("{\"context\":\"counts\",\"delay\":3600,\"command\":" + http("/deleted") + "}");

        api.awaitFinal(done);
        api.awaitFinal(failing);
        assertEquals(200, api.postJson("/jobs/" + scheduled + "/cancel", "").status());
        api.awaitJob(running, j -> j.getString("state").equals("working"), Duration.ofSeconds(10));
        assertEquals(200, api.postJson("/jobs/" + running + "/cancel", "").status());
        assertEquals(200, api.postJson("/jobs/" + runNow + "/run", "").status());
        api.awaitFinal(runNow);
        assertEquals(204, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + deleted)).DELETE()).status());
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }

        assertEquals(200, api.postJson("/jobs/" + running + "/retry", "").status());
        Api.Answer bulk = api.postJson("/jobs/retry?context=counts", "");
        assertEquals(200, bulk.status(), bulk.body());
        JsonObject again = api.awaitJob(failing, j -> j.getJsonArray("attempts").size() == 4
                && j.getString("state").equals("failed"), Duration.ofSeconds(30));
        assertEquals("failed", again.getString("state"));
        target.gate.release(2); // the aborted first request waits on the gate too
        api.awaitFinal(running);
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }
}
