package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The defaults of a server started without any security setting: loopback clients only (and only when they call
 * it by a loopback name), no exec, no cross-site writes, secrets of jobs masked in answers but sent to the target.
 */
class SecurityDefaultsIT extends DeployedServerTest {
    Api remote;

    @BeforeEach
    void remoteClient() throws Exception {
        remote = new Api(URI.create("http://" + Machine.nonLoopbackAddress().getHostAddress() + ":" + base.getPort() + "/"),
                null);
    }

    @Test
    void withoutTokensOnlyLoopbackClientsAreServed() {
        assertEquals(200, api.get("/jobs/status").status());
        int stored = api.get("/jobs/status").data().getInt("all_jobs");
        for (String path : new String[] {"/jobs/status", "/jobs/get/all", "/jobs/1", "/management/", "/jobs"}) {
            Api.Answer refused = remote.get(path);
            assertEquals(401, refused.status(), path);
            assertTrue(refused.contentType().startsWith("application/problem+json"));
            assertEquals("Authorization", refused.object().getString("field"));
            assertTrue(refused.object().getString("detail").contains("QUEUE_API_TOKENS"), refused.body());
        }
        Api.Answer submit = remote.postJson("/jobs/add", "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/x") + "\"}}");
        assertEquals(401, submit.status());
        assertEquals(stored, api.get("/jobs/status").data().getInt("all_jobs"), "nothing stored");
        assertTrue(target.hits("/x").isEmpty());
        assertEquals(401, remote.get("/jobs/status", "Authorization", "Bearer guessed-token").status());
        assertEquals(200, remote.get("/").status(), "GET / stays open");
        assertEquals(200, remote.get("/health").status(), "Payara's health stays open");
    }

    @Test
    void aLoopbackClientMustNameTheServerLocally() throws Exception {
        String answer = RawHttp.exchange("127.0.0.1", base.getPort(),
                "GET /jobs/status HTTP/1.1\r\nHost: rebound.example:" + base.getPort() + "\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
        String local = RawHttp.exchange("127.0.0.1", base.getPort(),
                "GET /jobs/status HTTP/1.1\r\nHost: localhost:" + base.getPort() + "\r\nConnection: close\r\n\r\n");
        assertTrue(local.startsWith("HTTP/1.1 200"), local);
    }

    @Test
    void browsersCannotWriteCrossSite() {
        int stored = api.get("/jobs/status").data().getInt("all_jobs");
        String job = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/csrf") + "\"}}";
        Api.Answer crossSite = api.post("/jobs/add", "application/x-www-form-urlencoded", job, "Sec-Fetch-Site", "cross-site");
        assertEquals(403, crossSite.status());
        assertEquals("Sec-Fetch-Site", crossSite.object().getString("field"));
        Api.Answer foreign = api.postJson("/jobs", job, "Origin", "https://evil.example");
        assertEquals(403, foreign.status());
        assertEquals("Origin", foreign.object().getString("field"));
        assertEquals(stored, api.get("/jobs/status").data().getInt("all_jobs"));
    }

    @Test
    void execIsOffUnlessAllowed() {
        Api.Answer refused = api.postJson("/jobs/add", "{\"command\":{\"type\":\"exec\",\"cmd\":\"/bin/echo hi\"}}");
        assertEquals(403, refused.status());
        assertEquals("command.cmd", refused.object().getString("field"));
        assertTrue(refused.object().getString("detail").contains("QUEUE_EXEC_ALLOW"));
    }

    @Test
    void secretsAreMaskedInAnswersButSentToTheTargetAndResponseHeadersAreKept() {
        long id = api.add("{\"command\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/secret")
                + "\",\"headers\":{\"Authorization\":\"Bearer real-secret-1\",\"X-Api-Key\":\"real-secret-2\","
                + "\"X-Trace\":\"visible\"},\"params\":{\"access_token\":\"real-secret-3\"}}}");
        JsonObject job = api.awaitFinal(id);
        assertEquals(3, job.getInt("worker_status"), job.toString());
        RecordingTarget.Hit hit = target.awaitHit("/secret", 5000);
        assertEquals("Bearer real-secret-1", hit.header("Authorization"));
        assertEquals("real-secret-2", hit.header("X-Api-Key"));
        assertEquals("access_token=real-secret-3", hit.body());
        for (String path : new String[] {"/jobs/" + id, "/jobs/get/" + id, "/jobs/get/all", "/jobs/get/done"}) {
            String body = api.get(path).body();
            assertFalse(body.contains("real-secret"), path + ": " + body);
        }
        JsonObject headers = job.getJsonObject("job").getJsonObject("command").getJsonObject("headers");
        assertEquals("***", headers.getString("Authorization"));
        assertEquals("***", headers.getString("X-Api-Key"));
        assertEquals("visible", headers.getString("X-Trace"));
        JsonObject output = job.getJsonObject("output_headers");
        assertEquals(String.valueOf(job.getString("output").length()),
                output.getJsonArray("content-length").getString(0), output.toString());
        assertEquals(output, api.get("/jobs/get/" + id).data().getJsonObject("output_headers"));
    }

    @Test
    void jobsAndCallbacksCannotDriveTheServersOwnApi() {
        long victim = api.add("{\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/victim") + "\"}}");
        String own = Api.local(base).resolve("/jobs/" + victim).toString();
        String[][] jobs = {
                {"{\"command\":{\"type\":\"http\",\"method\":\"DELETE\",\"url\":\"" + own + "\"}}", "command.url"},
                {"{\"command\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + own.replace("127.0.0.1", "localhost")
                        + "/run\"}}", "command.url"},
                {"{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/x") + "\"},\"callback_done\":{\"type\":\"http\","
                        + "\"method\":\"DELETE\",\"url\":\"" + own + "\"}}", "callback_done.url"}};
        for (String[] job : jobs) {
            Api.Answer a = api.postJson("/jobs", job[0]);
            assertEquals(403, a.status(), a.body());
            assertEquals(job[1], a.object().getString("field"));
            assertTrue(a.object().getString("detail").contains("own API"), a.body());
        }
        assertEquals(200, api.get("/jobs/" + victim).status(), "the job is still there");
    }

    @Test
    void listsShowLargeJobsFromABoundedPrefix() {
        long big = api.add("{\"delay\":3600,\"note\":\"" + "n".repeat(200_000) + "\",\"command\":{\"type\":\"http\","
                + "\"url\":\"" + target.url("/big?token=hidden-1") + "\"}}");
        JsonObject listed = api.get("/jobs?q=%23" + big).object().getJsonArray("jobs").getJsonObject(0);
        assertEquals(target.url("/big?token=***"), listed.getJsonObject("command").getString("url"));
        String all = api.get("/jobs/get/all").body();
        assertTrue(all.contains("\"truncated\":true"), "a large job is summarised in the original's list");
        assertFalse(all.contains("hidden-1") || all.contains("nnnnnnnnnn"), "neither the secret nor the bulk is listed");
        api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + big)).DELETE());
    }
}
