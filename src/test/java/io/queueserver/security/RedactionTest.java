package io.queueserver.security;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedactionTest {
    @Test
    void credentialsAreMaskedAtAnyDepth() {
        JsonObject job = Json.createReader(new StringReader("""
                {"context":"c","command":{"type":"http","url":"http://x/","headers":{"Authorization":"Bearer abc",
                "X-Api-Key":"k","Cookie":"s=1","X-Request-Id":"r","X-Auth-Token":"t"},"params":{"access_token":"a","q":"1"}},
                "callback_done":{"type":"exec","argv":["/x"],"env":{"DB_PASSWORD":"p","MODE":"m"}},
                "secrets":["a","b"],"client_secret":null}""")).readObject();
        JsonObject shown = Redaction.redact(job).asJsonObject();
        JsonObject headers = shown.getJsonObject("command").getJsonObject("headers");
        assertEquals("***", headers.getString("Authorization"));
        assertEquals("***", headers.getString("X-Api-Key"));
        assertEquals("***", headers.getString("Cookie"));
        assertEquals("***", headers.getString("X-Auth-Token"));
        assertEquals("r", headers.getString("X-Request-Id"));
        assertEquals("***", shown.getJsonObject("command").getJsonObject("params").getString("access_token"));
        assertEquals("1", shown.getJsonObject("command").getJsonObject("params").getString("q"));
        assertEquals("***", shown.getJsonObject("callback_done").getJsonObject("env").getString("DB_PASSWORD"));
        assertEquals("m", shown.getJsonObject("callback_done").getJsonObject("env").getString("MODE"));
        assertEquals("[\"***\",\"***\"]", shown.getJsonArray("secrets").toString());
        assertEquals("http://x/", shown.getJsonObject("command").getString("url"));
        assertEquals("c", shown.getString("context"));
    }
}
