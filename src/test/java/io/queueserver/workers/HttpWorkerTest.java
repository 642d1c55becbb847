package io.queueserver.workers;

import io.queueserver.core.JobRun;
import io.queueserver.core.Placeholders;

import io.queueserver.core.Outcome;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpWorkerTest {
    private final TargetServer target = new TargetServer();
    private final HttpWorker worker = new HttpWorker(300, 10_000);

    HttpWorkerTest() throws IOException {
    }

    @AfterEach
    void stop() {
        target.close();
    }

    private Outcome run(String command) throws Exception {
        return start(command).get(20, TimeUnit.SECONDS);
    }

    private CompletableFuture<Outcome> start(String command) {
        JsonObject json = Json.createReader(new StringReader(command.replace('\'', '"'))).readObject();
        json = Placeholders.apply(json, Map.of("__JOBID__", "42"));
        return worker.run(new JobRun(42, 1, "test", json));
    }

    @Test
    void getSendsParamsInTheQueryStringAndReplacesTheJobId() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/get?jobid=__JOBID__") + "','params':{'username':'michael'}}");
        assertTrue(o.success(), o.toString());
        assertEquals(200, o.returnCode());
        assertEquals("echo GET /get?jobid=42&username=michael", o.output());
        assertNull(o.error());
    }

    @Test
    void postSendsParamsAsAForm() throws Exception {
        Outcome o = run("{'type':'http','method':'post','url':'" + target.url("/form") + "','params':{'a':'1 2','b':3}}");
        assertTrue(o.success());
        TargetServer.Request r = target.requests.get(0);
        assertEquals("POST", r.method());
        assertEquals("a=1+2&b=3", r.body());
        assertEquals("application/x-www-form-urlencoded", r.headers().getFirst("Content-Type"));
    }

    @Test
    void jsonBodyAndHeaders() throws Exception {
        Outcome o = run("{'type':'http','method':'PUT','url':'" + target.url("/json") + "','json':{'id':'__JOBID__'},"
                + "'headers':{'X-Job':'__JOBID__'}}");
        assertTrue(o.success());
        TargetServer.Request r = target.requests.get(0);
        assertEquals("{\"id\":\"42\"}", r.body());
        assertEquals("application/json", r.headers().getFirst("Content-Type"));
        assertEquals("42", r.headers().getFirst("X-Job"));
    }

    @Test
    void jobsAfterEachOtherShareOneConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertTrue(run("{'type':'http','url':'" + target.url("/ok") + "'}").success());
        }
        assertEquals(1, target.requests.stream().map(TargetServer.Request::clientPort).distinct().count(),
                "a finished exchange must leave its connection open for the next job");
    }

    @Test
    void non2xxFailsWithItsStatus() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/status/500") + "'}");
        assertFalse(o.success());
        assertEquals(500, o.returnCode());
        assertEquals("boom", o.output());
        assertEquals("HTTP status 500", o.error());
    }

    @Test
    void successCodesCanBeChosen() throws Exception {
        assertTrue(run("{'type':'http','url':'" + target.url("/status/404") + "','success':[200,404]}").success());
    }

    @Test
    void redirectsAreNotFollowedUnlessAsked() throws Exception {
        Outcome plain = run("{'type':'http','url':'" + target.url("/redirect") + "'}");
        assertFalse(plain.success());
        assertEquals(302, plain.returnCode());
        Outcome followed = run("{'type':'http','url':'" + target.url("/redirect") + "','follow_redirects':true}");
        assertTrue(followed.success());
        assertEquals("echo GET /ok", followed.output());
    }

    @Test
    void timeoutIsATotalDeadlineEvenForAnEndlessBody() throws Exception {
        long start = System.nanoTime();
        Outcome o = run("{'type':'http','url':'" + target.url("/endless") + "','timeout':2}");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertFalse(o.success());
        assertEquals("timed out after 2 s", o.error());
        assertEquals(200, o.returnCode(), "the status had arrived before the deadline");
        assertTrue(o.output().contains("output truncated"), "the partial body is kept, capped");
        assertTrue(seconds < 10, "cut at the deadline, took " + seconds + " s");
    }

    @Test
    void slowHeadersTimeOut() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/slow") + "','timeout':1}");
        assertFalse(o.success());
        assertTrue(o.error().contains("timed out") || o.error().contains("HttpTimeoutException"), o.error());
    }

    @Test
    void bodyIsCapped() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/big") + "'}");
        assertTrue(o.success());
        assertTrue(o.output().startsWith("y".repeat(10_000)));
        assertTrue(o.output().endsWith("[output truncated: 190000 more bytes dropped]"), o.output().substring(9_990));
    }

    @Test
    void connectionRefusedFails() throws Exception {
        int port = target.server.getAddress().getPort();
        target.close();
        Outcome o = run("{'type':'http','url':'http://127.0.0.1:" + port + "/'}");
        assertFalse(o.success());
        assertNull(o.returnCode());
        assertTrue(o.error().contains("ConnectException"), o.error());
    }

    @Test
    void cancellingStopsTheRequest() throws Exception {
        CompletableFuture<Outcome> running = start("{'type':'http','url':'" + target.url("/endless") + "'}");
        Thread.sleep(300);
        assertTrue(running.cancel(true));
        assertTrue(running.isCancelled());
    }

    @Test
    void responseHeadersAreKeptWithSecretsMasked() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/headers") + "'}");
        JsonObject headers = Json.createReader(new StringReader(o.headers())).readObject();
        assertEquals("[\"one\",\"two\"]", headers.getJsonArray("x-custom").toString());
        assertEquals("[\"***\"]", headers.getJsonArray("set-cookie").toString());
        assertEquals("[\"12\"]", headers.getJsonArray("content-length").toString());
    }

    @Test
    void everyRedirectHopIsCheckedBeforeItIsConnected() throws Exception {
        HttpWorker listed = new HttpWorker(300, 10_000,
                new io.queueserver.security.TargetGuard(false, java.util.Optional.of("127.0.0.1")));
        String elsewhere = target.url("/ok").replace("127.0.0.1", "localhost");
        JsonObject command = Json.createReader(new StringReader(("{'type':'http','follow_redirects':true,'url':'"
                + target.url("/redirect-to?l=" + java.net.URLEncoder.encode(elsewhere, "UTF-8")) + "'}")
                .replace('\'', '"'))).readObject();
        Outcome o = listed.run(new JobRun(1, 1, "t", command)).get(20, TimeUnit.SECONDS);
        assertFalse(o.success());
        assertTrue(o.error().startsWith("refused target: host 'localhost' is not in QUEUE_HTTP_ALLOW_HOSTS"), o.error());
        assertEquals(1, target.requests.size(), "the refused hop was never connected");

        Outcome metadata = run("{'type':'http','follow_redirects':true,'url':'"
                + target.url("/redirect-to?l=http%3A%2F%2F2852039166%2Flatest%2Fmeta-data") + "'}");
        assertTrue(metadata.error().contains("plain dotted quad"), metadata.error());
        Outcome linkLocal = run("{'type':'http','follow_redirects':true,'url':'"
                + target.url("/redirect-to?l=http%3A%2F%2F169.254.169.254%2F") + "'}");
        assertTrue(linkLocal.error().contains("169.254.169.254") && linkLocal.error().contains("never called"),
                linkLocal.error());
    }

    @Test
    void numericSpellingsOtherThanDottedQuadsAreRefusedOnEveryHop() throws Exception {
        for (String spelling : new String[] {"0x7f000001", "2130706433", "127.1", "0127.0.0.1", "0x7f.0.0.1",
                "127.000.0.1"}) {
            Outcome direct = run("{'type':'http','url':'" + target.url("/n").replace("127.0.0.1", spelling) + "'}");
            assertTrue(direct.error().contains("plain dotted quad"), spelling + ": " + direct.error());
            Outcome hop = run("{'type':'http','follow_redirects':true,'url':'" + target.url("/redirect-to?l="
                    + java.net.URLEncoder.encode(target.url("/n").replace("127.0.0.1", spelling), "UTF-8")) + "'}");
            assertTrue(hop.error().contains("plain dotted quad"), spelling + ": " + hop.error());
        }
        assertEquals(6, target.requests.size(), "only the redirecting hops were connected");
    }

    @Test
    void credentialsAndBodyStayWithTheOriginalOrigin() throws Exception {
        String other = target.url("/landing").replace("127.0.0.1", "localhost");
        String headers = "'headers':{'Authorization':'Bearer s3cret','Cookie':'sid=1','Proxy-Authorization':'Basic x',"
                + "'X-Auth-Key':'k','X-Trace':'keep'}";
        Outcome cross = run("{'type':'http','method':'POST','body':'secret body','follow_redirects':true,"
                + headers + ",'url':'" + target.url("/redirect-307-to?l=" + java.net.URLEncoder.encode(other, "UTF-8"))
                + "'}");
        assertTrue(cross.success(), cross.toString());
        TargetServer.Request first = target.requests.get(0);
        TargetServer.Request landed = target.requests.get(1);
        assertEquals("Bearer s3cret", first.headers().getFirst("Authorization"));
        assertEquals("POST", landed.method());
        for (String name : new String[] {"Authorization", "Cookie", "Proxy-Authorization", "X-Auth-Key"}) {
            assertNull(landed.headers().getFirst(name), name + " followed the redirect to another host");
        }
        assertEquals("keep", landed.headers().getFirst("X-Trace"));
        assertEquals("", landed.body(), "the body followed the redirect to another host");

        String same = target.url("/landing");
        Outcome kept = run("{'type':'http','method':'POST','body':'secret body','follow_redirects':true,"
                + headers + ",'url':'" + target.url("/redirect-307-to?l=" + java.net.URLEncoder.encode(same, "UTF-8"))
                + "'}");
        assertTrue(kept.success(), kept.toString());
        TargetServer.Request sameHost = target.requests.get(3);
        assertEquals("Bearer s3cret", sameHost.headers().getFirst("Authorization"));
        assertEquals("secret body", sameHost.body());
    }

    @Test
    void everyRequestCarriesTheServersMark() throws Exception {
        assertTrue(run("{'type':'http','url':'" + target.url("/m") + "'}").success());
        assertEquals(io.queueserver.security.OutgoingMark.VALUE,
                target.requests.get(0).headers().getFirst(io.queueserver.security.OutgoingMark.HEADER));
    }

    @Test
    void theServersOwnPortIsNeverATarget() throws Exception {
        io.queueserver.security.OwnEndpoints own = new io.queueserver.security.OwnEndpoints();
        own.listensOn(target.server.getAddress().getPort());
        HttpWorker guarded = new HttpWorker(300, 10_000,
                new io.queueserver.security.TargetGuard(false, java.util.Optional.empty(), own));
        for (String url : new String[] {target.url("/jobs/1"), target.url("/jobs/1").replace("127.0.0.1", "localhost")}) {
            JsonObject command = Json.createObjectBuilder().add("type", "http").add("method", "DELETE")
                    .add("url", url).build();
            Outcome o = guarded.run(new JobRun(1, 1, "t", command)).get(20, TimeUnit.SECONDS);
            assertTrue(o.error().contains("this server's own API"), o.error());
        }
        assertEquals(0, target.requests.size());
    }

    @Test
    void theJvmsProxySettingsAreIgnored() throws Exception {
        java.net.ProxySelector before = java.net.ProxySelector.getDefault();
        try (TargetServer proxy = new TargetServer()) {
            java.net.ProxySelector.setDefault(java.net.ProxySelector.of(proxy.server.getAddress()));
            HttpWorker fresh = new HttpWorker(300, 10_000);
            JsonObject command = Json.createObjectBuilder().add("type", "http").add("url", target.url("/direct")).build();
            Outcome o = fresh.run(new JobRun(1, 1, "t", command)).get(20, TimeUnit.SECONDS);
            assertTrue(o.success(), o.toString());
            assertEquals(0, proxy.requests.size(), "the request went through the JVM's proxy");
            assertEquals(1, target.requests.size());
        } finally {
            java.net.ProxySelector.setDefault(before);
        }
    }
}
