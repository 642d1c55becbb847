package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets at rest on a running server with {@code QUEUE_SECRET_KEY} (README "Security defaults"): the stored row
 * holds them sealed, the target receives them in clear, the API shows them masked, a sealed value cannot be
 * submitted again to be opened elsewhere, and a key rotation keeps older jobs readable until their key is removed.
 */
class SecretsAtRestIT {
    private static final String K1 = "k1:" + Base64.getEncoder().encodeToString("k1-0123456789abcdef0123456789abc".getBytes());
    private static final String K2 = "k2:" + Base64.getEncoder().encodeToString("k2-0123456789abcdef0123456789abc".getBytes());
    private static final String AUTHORIZATION = "Bearer plain-auth-4711";
    private static final String PARAM = "plain-param-4712";

    static ScratchDatabase database;
    static RecordingTarget target;
    static ClusterNodes server;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("secrets");
        target = new RecordingTarget();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (target != null) {
            target.close();
        }
        database.drop();
    }

    private static Api startWith(String secretKey) throws Exception {
        if (server != null) {
            server.close();
        }
        server = ClusterNodes.standalone(database.url(), Map.of("QUEUE_SECRET_KEY", secretKey), "secrets");
        ClusterNodes.Node node = server.start(0);
        server.awaitUp(node, Duration.ofMinutes(4));
        return new Api(node.base(), null);
    }

    private static String job(String path, String extra) {
        return "{\"command\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url(path) + "\","
                + "\"headers\":{\"Authorization\":\"" + AUTHORIZATION + "\",\"X-Trace\":\"trace-1\"},"
                + "\"params\":{\"api_token\":\"" + PARAM + "\",\"page\":\"2\"}}" + extra + "}";
    }

    private static String storedPayload(long id) throws Exception {
        try (Connection c = database.connect();
             PreparedStatement s = c.prepareStatement("SELECT payload FROM queue_job WHERE id = ?")) {
            s.setLong(1, id);
            try (ResultSet r = s.executeQuery()) {
                assertTrue(r.next(), "job " + id + " stored");
                return r.getString(1);
            }
        }
    }

    private static String runNow(Api api, long id) {
        Api.Answer run = api.postJson("/jobs/" + id + "/run", "");
        assertEquals(200, run.status(), run.body());
        return run.body();
    }

    @Test
    void secretsAreSealedAtRestSentInClearShownMaskedAndSurviveAKeyRotation() throws Exception {
        Api api = startWith(K1);
        long id = api.add(job("/sealed", ""));
        long later = api.add(job("/later", ",\"delay\":86400"));
        long orphan = api.add(job("/orphan", ",\"delay\":86400"));
        assertEquals("done", api.awaitFinal(id).getString("state"));

        String row = storedPayload(id);
        assertFalse(row.contains("plain-auth-4711") || row.contains(PARAM), "secrets stored in clear: " + row);
        assertTrue(row.contains("\"Authorization\":\"sealed:v1:k1:") && row.contains("\"api_token\":\"sealed:v1:k1:"), row);
        assertTrue(row.contains("trace-1") && row.contains("\"page\":\"2\""), "other values stay as given: " + row);

        RecordingTarget.Hit hit = target.awaitHit("/sealed", 10_000);
        assertEquals(AUTHORIZATION, hit.header("Authorization"));
        assertTrue(hit.body().contains("api_token=" + PARAM), hit.body());

        for (String shown : new String[] {api.get("/jobs/" + id).body(), api.get("/jobs?limit=10").body(),
                api.get("/jobs/get/" + id).body(), api.get("/jobs/get/all").body()}) {
            assertFalse(shown.contains("plain-auth-4711") || shown.contains(PARAM) || shown.contains("sealed:v1"),
                    "a secret shown: " + shown);
        }
        JsonObject command = api.job(id).getJsonObject("job").getJsonObject("command");
        assertEquals("***", command.getJsonObject("headers").getString("Authorization"));
        assertEquals("***", command.getJsonObject("params").getString("api_token"));

        // a sealed value (from a leaked dump, say) submitted again would be opened and sent wherever the job says
        String sealed = row.replaceAll(".*\"Authorization\":\"(sealed:v1:[^\"]+)\".*", "$1");
        Api.Answer replay = api.postJson("/jobs", "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/replay")
                + "\",\"headers\":{\"X-Api-Key\":\"" + sealed + "\"}}}");
        assertEquals(400, replay.status(), replay.body());
        assertTrue(replay.contentType().startsWith("application/problem+json"), replay.contentType());
        assertEquals("command.headers.X-Api-Key", replay.object().getString("field"));

        // rotation: a new key first, the old one still listed
        api = startWith(K2 + "," + K1);
        assertTrue(runNow(api, later).contains("done"), "a job sealed with k1 runs after the rotation");
        RecordingTarget.Hit rotated = target.awaitHit("/later", 10_000);
        assertEquals(AUTHORIZATION, rotated.header("Authorization"));
        assertTrue(rotated.body().contains("api_token=" + PARAM), rotated.body());
        long fresh = api.add(job("/fresh", ",\"delay\":86400"));
        assertTrue(storedPayload(fresh).contains("\"Authorization\":\"sealed:v1:k2:"), storedPayload(fresh));

        // the old key removed: its jobs fail, naming the key id, and nothing is sent
        api = startWith(K2);
        runNow(api, orphan);
        JsonObject failed = api.awaitFinal(orphan);
        assertEquals("failed", failed.getString("state"));
        assertTrue(failed.getString("error").contains("key id 'k1'"), failed.getString("error"));
        assertTrue(target.hits("/orphan").isEmpty());
        assertTrue(target.hits("/replay").isEmpty());
    }
}
