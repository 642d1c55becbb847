package io.queueserver.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The secured test server (QUEUE_API_TOKENS set) called from the machine's non-loopback address. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TokenAuthIT {
    static final String[] TOKENS = System.getenv("QUEUE_API_TOKENS").split(",");

    @ArquillianResource
    URL base;
    Api anonymous;
    Api local;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.queueServer();
    }

    @BeforeEach
    void clients() throws Exception {
        anonymous = new Api(URI.create("http://" + Machine.nonLoopbackAddress().getHostAddress() + ":" + base.getPort()
                + "/"), null);
        local = new Api(Api.local(base), null);
    }

    @Test
    void requestsWithoutAValidTokenAreRefusedFromAnywhere() {
        int stored = new Api(base).get("/jobs/status").data().getInt("all_jobs");
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
                    assertEquals(401, a.status(), String.join(" ", headers) + " " + a.body());
                    assertEquals("Authorization", a.object().getString("field"));
                    assertTrue(a.object().getString("detail").contains("QUEUE_API_TOKENS"));
                    for (String token : TOKENS) {
                        assertFalse(a.body().contains(token), "the answer does not show a configured token");
                    }
                }
            }
        }
        Api.Answer challenge = anonymous.get("/jobs/status");
        assertEquals("Bearer realm=\"Queue Server\"", challenge.raw().headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(anonymous.get("/management/").raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertEquals(stored, new Api(base).get("/jobs/status").data().getInt("all_jobs"), "nothing stored");
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
    void openEndpointsStayOpen() {
        assertEquals(200, anonymous.get("/").status());
        assertEquals(200, anonymous.get("/health").status());
    }
}
