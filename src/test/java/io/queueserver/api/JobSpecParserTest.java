package io.queueserver.api;

import io.queueserver.core.JobSpec;

import io.queueserver.core.InvalidField;

import io.queueserver.workers.HttpWorker;
import io.queueserver.workers.Workers;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.time.LocalDateTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobSpecParserTest {
    private final JobSpecParser parser = new JobSpecParser(new Workers(List.of(new HttpWorker(300, 65536))), 1);

    private static JsonValue json(String text) {
        return Json.createReader(new StringReader(text.replace('\'', '"'))).readValue();
    }

    @Test
    void theOriginalsExampleIsAccepted() {
        JobSpec spec = parser.parse(json("{'priority':800,'context':'MyCoolApp','command':{'type':'http',"
                + "'url':'http://httpbin.org/delay/10','method':'GET','timeout':20,'params':{'username':'michael'}},"
                + "'callback_done':{'type':'http','url':'http://httpbin.org/get?job=done','method':'GET'}}"), "");
        assertEquals(800, spec.priority());
        assertEquals("MyCoolApp", spec.context());
        assertEquals("http", spec.type());
        assertEquals(1, spec.maxAttempts());
        assertTrue(spec.payload().containsKey("callback_done"));
    }

    @Test
    void defaultsAndUnknownFieldsKept() {
        JobSpec spec = parser.parse(json("{'command':{'type':'http','url':'https://x.test/'},'mine':{'a':1}}"), "");
        assertEquals(500, spec.priority());
        assertEquals("default", spec.context());
        assertEquals(1, spec.payload().getJsonObject("mine").getInt("a"));
        assertNull(spec.runAt());
    }

    @Test
    void numbersMayComeAsStringsFromForms() {
        assertEquals(800, parser.parse(json("{'priority':'800','command':{'type':'http','url':'http://x/'}}"), "")
                .priority());
    }

    @Test
    void runAtIsConvertedToUtc() {
        JobSpec spec = parser.parse(json("{'run_at':'2030-01-31T14:00:00+02:00','command':{'type':'http','url':'http://x/'}}"), "");
        assertEquals(LocalDateTime.of(2030, 1, 31, 12, 0), spec.runAt());
        assertTrue(spec.scheduled());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "[]                                                              | body",
            "{}                                                              | command",
            "{'command':'http'}                                              | command",
            "{'command':{}}                                                  | command.type",
            "{'command':{'type':'ftp'}}                                      | command.type",
            "{'command':{'type':7}}                                          | command.type",
            "{'command':{'type':'http'}}                                     | command.url",
            "{'command':{'type':'http','url':''}}                            | command.url",
            "{'command':{'type':'http','url':'file:///etc/passwd'}}          | command.url",
            "{'command':{'type':'http','url':'http://'}}                     | command.url",
            "{'command':{'type':'http','url':'http://u:p@x/'}}               | command.url",
            "{'command':{'type':'http','url':'http://x/ y'}}                 | command.url",
            "{'command':{'type':'http','url':'http://x/','method':'TRACE'}}  | command.method",
            "{'command':{'type':'http','url':'http://x/','method':'GET\\r\\nX: y'}} | command.method",
            "{'command':{'type':'http','url':'http://x/','timeout':0}}       | command.timeout",
            "{'command':{'type':'http','url':'http://x/','timeout':'soon'}}  | command.timeout",
            "{'command':{'type':'http','url':'http://x/','timeout':1.5}}     | command.timeout",
            "{'command':{'type':'http','url':'http://x/','params':[1]}}      | command.params",
            "{'command':{'type':'http','url':'http://x/','params':{'a':{}}}} | command.params.a",
            "{'command':{'type':'http','url':'http://x/','headers':{'X':'a\\nb'}}} | command.headers.X",
            "{'command':{'type':'http','url':'http://x/','headers':{'Bad Name':'a'}}} | command.headers.Bad Name",
            "{'command':{'type':'http','url':'http://x/','headers':{'Host':'evil'}}} | command.headers.Host",
            "{'command':{'type':'http','url':'http://x/','body':'a','json':{}}} | command.json",
            "{'command':{'type':'http','url':'http://x/','body':'a'}}        | command.body",
            "{'command':{'type':'http','url':'http://x/','success':[]}}      | command.success",
            "{'command':{'type':'http','url':'http://x/','success':[99]}}    | command.success",
            "{'command':{'type':'http','url':'http://x/','follow_redirects':'yes'}} | command.follow_redirects",
            "{'priority':'high','command':{'type':'http','url':'http://x/'}} | priority",
            "{'priority':1.5,'command':{'type':'http','url':'http://x/'}}    | priority",
            "{'priority':10000000,'command':{'type':'http','url':'http://x/'}} | priority",
            "{'priority':99999999999999999999999,'command':{'type':'http','url':'http://x/'}} | priority",
            "{'context':'','command':{'type':'http','url':'http://x/'}}      | context",
            "{'context':5,'command':{'type':'http','url':'http://x/'}}       | context",
            "{'context':'a\\u0000b','command':{'type':'http','url':'http://x/'}} | context",
            "{'run_at':'tomorrow','command':{'type':'http','url':'http://x/'}} | run_at",
            "{'delay':-1,'command':{'type':'http','url':'http://x/'}}        | delay",
            "{'delay':5,'run_at':'2030-01-01T00:00:00Z','command':{'type':'http','url':'http://x/'}} | delay",
            "{'max_attempts':0,'command':{'type':'http','url':'http://x/'}}  | max_attempts",
            "{'unique_key':'','command':{'type':'http','url':'http://x/'}}   | unique_key",
            "{'command':{'type':'http','url':'http://x/'},'callback_done':{'type':'http'}} | callback_done.url",
            "{'command':{'type':'http','url':'http://x/'},'callback_failed':{'type':'nope'}} | callback_failed.type",
            "{'command':{'type':'http','url':'http://x/'},'callback_done':'http://x'} | callback_done",
    })
    void refusesNamingTheField(String body, String field) {
        InvalidField e = assertThrows(InvalidField.class, () -> parser.parse(json(body), ""));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(400, e.status());
    }

    @Test
    void contextLengthIsBounded() {
        String longContext = "x".repeat(101);
        InvalidField e = assertThrows(InvalidField.class, () -> parser.parse(
                json("{'context':'" + longContext + "','command':{'type':'http','url':'http://x/'}}"), ""));
        assertEquals("context", e.field());
    }

    @Test
    void batchElementsAreNamedByIndex() {
        InvalidField e = assertThrows(InvalidField.class, () -> parser.parse(json("{'command':{'type':'http'}}"), "[3]"));
        assertEquals("[3].command.url", e.field());
    }

    @Test
    void idempotencyKeyHeaderAppliesWhenThePayloadHasNone() {
        JobSpec spec = parser.parse(json("{'command':{'type':'http','url':'http://x/'}}"), "");
        assertEquals("k1", parser.withIdempotencyKey(spec, "k1").uniqueKey());
        assertEquals("mine", parser.withIdempotencyKey(spec.withUnique(io.queueserver.core.Uniqueness.bound("mine")), "k1").uniqueKey());
        assertEquals("Idempotency-Key",
                assertThrows(InvalidField.class, () -> parser.withIdempotencyKey(spec, "a\nb")).field());
    }

    @Test
    void everyJobIsBoundedByTheBodyLimitWhateverTheRoute() {
        JobSpecParser small = new JobSpecParser(new Workers(List.of(new HttpWorker(300, 65536))), 1, 1000,
                io.queueserver.security.SecretBox.of(null), null);
        String big = "{'command':{'type':'http','url':'http://127.0.0.1:9/','body':'" + "x".repeat(1000)
                + "','method':'POST'}}";
        InvalidField e = assertThrows(InvalidField.class, () -> small.parse(json(big), "[3]"));
        assertEquals(413, e.status());
        assertEquals("[3]", e.field());
    }

    @Test
    void jobsAreStoredCommandFirstWithSecretsSealed() {
        JobSpecParser sealing = new JobSpecParser(new Workers(List.of(new HttpWorker(300, 65536))), 1, 262_144,
                io.queueserver.security.SecretBox.of("k1:" + java.util.Base64.getEncoder().encodeToString(new byte[16])),
                null);
        JobSpec spec = sealing.parse(json("{'context':'c','note':'n','command':{'headers':{'Authorization':'Bearer s'},"
                + "'url':'http://127.0.0.1:9/','type':'http'}}"), "");
        assertEquals("[\"command\",\"context\",\"note\"]", Json.createArrayBuilder(spec.payload().keySet()).build()
                .toString());
        assertEquals("[\"type\",\"url\",\"headers\"]",
                Json.createArrayBuilder(spec.payload().getJsonObject("command").keySet()).build().toString());
        assertTrue(spec.payload().getJsonObject("command").getJsonObject("headers").getString("Authorization")
                .startsWith("sealed:v1:k1:"));
    }

    @Test
    void aTokenLimitedToContextsSubmitsOnlyThere() {
        io.queueserver.security.RequestGrant grant = new io.queueserver.security.RequestGrant() {
            @Override
            public boolean maySubmitTo(String context) {
                return context.equals("mailing");
            }
        };
        JobSpecParser limited = new JobSpecParser(new Workers(List.of(new HttpWorker(300, 65536))), 1, 262_144,
                io.queueserver.security.SecretBox.of(null), grant);
        String job = "{'context':'%s','command':{'type':'http','url':'http://127.0.0.1:9/'}}";
        assertEquals("mailing", limited.parse(json(String.format(job, "mailing")), "").context());
        InvalidField e = assertThrows(InvalidField.class, () -> limited.parse(json(String.format(job, "billing")), ""));
        assertEquals(403, e.status());
        assertEquals("context", e.field());
    }
}
