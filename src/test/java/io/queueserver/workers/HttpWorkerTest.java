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
        assertTrue(metadata.error().contains("169.254.169.254") && metadata.error().contains("never called"),
                metadata.error());
    }

    @Test
    void numericSpellingsOfAllowedAddressesWork() throws Exception {
        Outcome o = run("{'type':'http','url':'" + target.url("/n").replace("127.0.0.1", "0x7f000001") + "'}");
        assertTrue(o.success(), o.toString());
        assertEquals("echo GET /n", o.output());
    }
}
