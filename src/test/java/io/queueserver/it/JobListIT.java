package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's job list: a search looks at a bounded range of ids per page and says where to go on. */
class JobListIT extends DeployedServerTest {

    @Test
    void aSearchPagesThroughBoundedRangesOfIds() throws Exception {
        long near = api.add("{\"context\":\"window-near\",\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/window") + "\"}}");
        long far = near + 150_000; // a newer job far above: the search window below it does not reach the first
        try (Connection c = database(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO queue_job (id, state, priority, neg_priority, context, type, payload, run_at,"
                    + " time_added) VALUES (" + far + ", 5, 500, -500, 'window-far', 'http', '{}',"
                    + " TIMESTAMPADD(HOUR, 1, LOCALTIMESTAMP(6)), LOCALTIMESTAMP(6))");
            s.execute("UPDATE queue_count SET n = n + 1 WHERE bucket = 0 AND state = 5");
            c.commit();
        }
        try {
            JsonObject first = api.get("/jobs?q=window-near&limit=10").object();
            assertEquals(List.of(), first.getJsonArray("jobs"), first.toString());
            long cursor = first.getJsonNumber("next_cursor").longValue();
            assertTrue(cursor > near && cursor < far, "the page ends where its window ended: " + first);
            JsonObject second = api.get("/jobs?q=window-near&limit=10&cursor=" + cursor).object();
            assertEquals(near, second.getJsonArray("jobs").getJsonObject(0).getJsonNumber("id").longValue(),
                    second.toString());

            JsonObject waiting = api.get("/jobs?state=waiting&limit=2").object();
            assertEquals(far, waiting.getJsonArray("jobs").getJsonObject(0).getJsonNumber("id").longValue(),
                    "waiting and scheduled jobs merged, newest first: " + waiting);
            assertEquals(2, waiting.getJsonArray("jobs").size(), waiting.toString());
            assertTrue(waiting.getJsonArray("jobs").getJsonObject(1).getJsonNumber("id").longValue() < far);
        } finally {
            assertEquals(204, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + far)).DELETE()).status());
        }
    }
}
