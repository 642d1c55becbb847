package io.queueserver.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The secured test server (QUEUE_API_TOKENS set, two of them limited) called from the machine's non-loopback
 * address. Methods run by name: the one that sends many bad tokens locks its addresses out, so it runs last.
 */
@TestMethodOrder(MethodOrderer.MethodName.class)
class TokenAuthIT extends DeployedServerTest {
    static final String[] TOKENS = java.util.Arrays.stream(System.getenv("QUEUE_API_TOKENS").split(","))
            .map(t -> t.split(":")[0]).toArray(String[]::new);
    static final String READER = "it-reader-token-0123456789";
    static final String MAILING = "it-mailing-token-0123456789";

    Api anonymous;
    Api local;

    @BeforeEach
    void clients() throws Exception {
        anonymous = new Api(URI.create("http://" + Machine.nonLoopbackAddress().getHostAddress() + ":" + base.getPort()
                + "/"), null);
        local = new Api(Api.local(base), null);
    }

    /**
     * The classes after this one share its server: an accepted token ends the lock-out that this class's refused
     * tokens put on each address it called from, once the lock-out has run out.
     */
    @AfterEach
    void forgetRefusedTokens() {
        for (URI from : new URI[] {anonymous.uri("/"), local.uri("/")}) {
            Api admin = new Api(from, TOKENS[0]);
            long deadline = System.nanoTime() + java.time.Duration.ofMinutes(6).toNanos();
            while (admin.get("/jobs/status").status() == 429 && System.nanoTime() < deadline) {
                Api.sleep(250);
            }
        }
    }

    @Test
    void limitedTokensDoOnlyWhatTheirScopeAllows() {
        String mailing = "{\"context\":\"mailing\",\"command\":{\"type\":\"http\",\"url\":\"https://example.com/\"}}";
        String billing = mailing.replace("mailing", "billing");
        String[] reader = {"Authorization", "Bearer " + READER};
        String[] submitter = {"Authorization", "Bearer " + MAILING};
        assertEquals(200, anonymous.get("/jobs/status", reader).status());
        assertEquals(200, anonymous.get("/jobs?limit=1", reader).status());
        Api.Answer readerSubmits = anonymous.postJson("/jobs", mailing, reader);
        assertEquals(403, readerSubmits.status(), readerSubmits.body());
        assertEquals("Authorization", readerSubmits.object().getString("field"));
        assertEquals("read", anonymous.get("/management/access", reader).object().getString("scope"));

        Api.Answer submitted = anonymous.postJson("/jobs", mailing, submitter);
        assertEquals(201, submitted.status(), submitted.body());
        long id = submitted.object().getJsonNumber("id").longValue();
        Api.Answer elsewhere = anonymous.postJson("/jobs/add", billing, submitter);
        assertEquals(403, elsewhere.status(), elsewhere.body());
        assertEquals("context", elsewhere.object().getString("field"));
        for (String path : new String[] {"/jobs/" + id + "/cancel", "/jobs/" + id + "/run", "/jobs/retry"}) {
            assertEquals(403, anonymous.postJson(path, "{}", submitter).status(), path);
        }
        long billingJob = anonymous.postJson("/jobs", billing.replace("https://example.com/", "https://example.com/b"),
                "Authorization", "Bearer " + TOKENS[0]).object().getJsonNumber("id").longValue();
        assertEquals(200, anonymous.get("/jobs/" + id, submitter).status());
        assertEquals(404, anonymous.get("/jobs/" + billingJob, submitter).status(), "other contexts stay unseen");
        assertEquals(404, anonymous.get("/jobs/get/" + billingJob, submitter).status());
        assertEquals(403, anonymous.get("/jobs?context=billing", submitter).status());

        // redrives and hosts: like limits, read by any token not limited to contexts, redrives started by admins
        String redrive = "{\"filter\":{\"context\":\"no-such-context\"},\"rate\":\"5/s\"}";
        assertEquals(401, anonymous.get("/redrives").status());
        assertEquals(401, anonymous.get("/hosts").status());
        assertEquals(401, anonymous.postJson("/redrives", redrive).status());
        assertEquals(200, anonymous.get("/redrives", reader).status());
        assertEquals(200, anonymous.get("/hosts", reader).status());
        assertEquals(403, anonymous.postJson("/redrives", redrive, reader).status());
        assertEquals(403, anonymous.get("/redrives", submitter).status(), "redrives span every context");
        assertEquals(403, anonymous.get("/hosts", submitter).status());
        Api.Answer started = anonymous.postJson("/redrives", redrive, "Authorization", "Bearer " + TOKENS[0]);
        assertEquals(201, started.status(), started.body());
        assertEquals("done", started.object().getString("state"), "nothing matched, done at once");
        assertTrue(started.object().getString("created_by").startsWith("admin client at "), started.body());
        assertTrue(anonymous.get("/jobs?q=%23" + billingJob, submitter).object().getJsonArray("jobs").isEmpty());
        assertFalse(anonymous.get("/jobs/get/all", submitter).body().contains("example.com/b"));
        assertEquals(1, anonymous.get("/jobs?q=%23" + id, submitter).object().getJsonArray("jobs").size());
        assertEquals(204, new Api(base).send(java.net.http.HttpRequest.newBuilder(new Api(base).uri("/jobs/"
                + billingJob)).DELETE()).status());
        Api.Answer access = anonymous.get("/management/access", submitter);
        assertEquals("submit", access.object().getString("scope"));
        assertEquals("[\"mailing\"]", access.object().getJsonArray("contexts").toString());
        assertEquals("admin", anonymous.get("/management/access", "Authorization", "Bearer " + TOKENS[0]).object()
                .getString("scope"));
        assertEquals(204, new Api(base).send(java.net.http.HttpRequest.newBuilder(new Api(base).uri("/jobs/" + id))
                .DELETE()).status());
    }

    /** Schedules as limits: anyone with a token reads (a limited one only its contexts'), only admins change them. */
    @Test
    void limitedTokensSeeOnlyTheSchedulesOfTheirContextsAndOnlyAdminsChangeThem() {
        String[] admin = {"Authorization", "Bearer " + TOKENS[0]};
        String[] reader = {"Authorization", "Bearer " + READER};
        String[] submitter = {"Authorization", "Bearer " + MAILING};
        String body = "{\"cron\":\"@daily\",\"paused\":true,\"job\":{\"context\":\"billing\",\"command\":"
                + "{\"type\":\"http\",\"url\":\"https://example.com/report\"}}}";
        java.util.function.Supplier<java.net.http.HttpRequest.Builder> put = () -> java.net.http.HttpRequest.newBuilder(
                anonymous.uri("/schedules/tok-billing")).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        assertEquals(401, anonymous.send(put.get()).status());
        for (String[] limited : new String[][] {reader, submitter}) {
            Api.Answer refused = anonymous.send(put.get(), limited);
            assertEquals(403, refused.status(), refused.body());
            assertEquals("Authorization", refused.object().getString("field"));
        }
        Api.Answer created = anonymous.send(put.get(), admin);
        assertEquals(201, created.status(), created.body());
        try {
            assertEquals(200, anonymous.get("/schedules/tok-billing", reader).status());
            assertEquals(404, anonymous.get("/schedules/tok-billing", submitter).status(), "another context's schedule");
            assertFalse(anonymous.get("/schedules", submitter).body().contains("tok-billing"));
            assertTrue(anonymous.get("/schedules", reader).body().contains("tok-billing"));
            for (String action : new String[] {"pause", "resume", "run"}) {
                assertEquals(403, anonymous.postJson("/schedules/tok-billing/" + action, "", reader).status(), action);
            }
            assertEquals(403, anonymous.send(java.net.http.HttpRequest.newBuilder(anonymous.uri("/schedules/tok-billing"))
                    .DELETE(), submitter).status());
        } finally {
            assertEquals(204, anonymous.send(java.net.http.HttpRequest.newBuilder(anonymous.uri("/schedules/tok-billing"))
                    .DELETE(), admin).status());
        }
    }

    @Test
    void requestsMarkedAsSentByAJobAreRefused() {
        Api.Answer a = anonymous.get("/jobs/status", "Authorization", "Bearer " + TOKENS[0], "Queue-Server-Job", "x");
        assertEquals(403, a.status(), a.body());
        assertEquals("Queue-Server-Job", a.object().getString("field"));
    }

    @Test
    void requestsWithoutAValidTokenAreRefusedFromAnywhere() {
        String job = "{\"command\":{\"type\":\"http\",\"url\":\"https://example.com/\"}}";
        String[][] attempts = {{}, {"Authorization", "Bearer wrong-token-0123456789"}, {"Authorization", "Bearer "},
                {"Authorization", "Bearer " + TOKENS[0] + "x"}, {"Authorization", "Bearer " + TOKENS[0].substring(1)},
                {"Authorization", TOKENS[0]}, {"Authorization", "Token " + TOKENS[0]},
                {"Authorization", "Bearer " + TOKENS[0] + "," + TOKENS[1]}, {"X-Api-Key", TOKENS[0]}};
        for (String[] headers : attempts) {
            for (Api client : new Api[] {anonymous, local}) {
                for (Api.Answer a : new Api.Answer[] {client.get("/jobs/status", headers),
                        client.postJson("/jobs/add", job, headers), client.postJson("/jobs", job, headers),
                        client.get("/jobs/get/all", headers), client.get("/management/", headers)}) {
                    // after a few bad tokens an address is locked out for a while (429)
                    assertTrue(a.status() == 401 || a.status() == 429, String.join(" ", headers) + " " + a.body());
                    assertEquals("Authorization", a.object().getString("field"));
                    assertTrue(a.status() == 429 || a.object().getString("detail").contains("QUEUE_API_TOKENS"));
                    for (String token : TOKENS) {
                        assertFalse(a.body().contains(token), "the answer does not show a configured token");
                    }
                }
            }
        }
        // a lock that ran out while a slow machine sent the requests above is renewed, longer, by one more bad token
        anonymous.get("/jobs/status", "Authorization", "Bearer wrong-token-0123456789");
        Api.Answer locked = anonymous.get("/jobs/status", "Authorization", "Bearer " + TOKENS[0]);
        assertEquals(429, locked.status(), "too many bad tokens lock the address out, even for a good one");
        assertTrue(Integer.parseInt(locked.raw().headers().firstValue("Retry-After").orElse("0")) > 0);
        // every answer was a refusal from the filter, so nothing reached a resource: no job was stored
    }

    @Test
    void everyConfiguredTokenIsAcceptedFromARemoteAddress() {
        for (String token : TOKENS) {
            assertEquals(200, anonymous.get("/jobs/status", "Authorization", "Bearer " + token).status());
            assertEquals(200, anonymous.get("/jobs/status", "Authorization", "bearer " + token).status());
        }
        String basic = Base64.getEncoder().encodeToString(("dashboard:" + TOKENS[1]).getBytes(StandardCharsets.UTF_8));
        assertEquals(200, anonymous.get("/jobs/status", "Authorization", "Basic " + basic).status());
        Api.Answer submitted = anonymous.postJson("/jobs/add", "{\"command\":{\"type\":\"http\",\"url\":\"https://example.com/\"}}",
                "Authorization", "Bearer " + TOKENS[0]);
        assertEquals(200, submitted.status(), submitted.body());
    }

    @Test
    void challengesNameTheScheme() {
        Api.Answer challenge = anonymous.get("/jobs/status");
        assertEquals("Bearer realm=\"Queue Server\"", challenge.raw().headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(anonymous.get("/management/").raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
    }

    @Test
    void openEndpointsStayOpen() {
        assertEquals(200, anonymous.get("/").status());
        assertEquals(200, anonymous.get("/health").status());
    }
}
