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

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Authorization", "Proxy-Authorization", "Cookie",
            "Set-Cookie", "X-Api-Key", "X-Auth-Token", "X-Auth-Key", "Authentication", "Ocp-Apim-Subscription-Key",
            "key", "jwt", "pwd", "password", "client_secret", "access_token", "api_key", "private-key", "session_id",
            "X-Amz-Security-Token", "webhook-signature"})
    void everyListedNameIsSecret(String name) {
        assertEquals(true, Redaction.isSensitive(name), name);
        assertEquals("***", Redaction.redact(Json.createObjectBuilder().add(name, "v").build()).asJsonObject()
                .getString(name));
    }

    @Test
    void ordinaryNamesAreShown() {
        for (String name : new String[] {"X-Request-Id", "Content-Type", "unique_key", "monkey", "keyboard", "q"}) {
            assertEquals(false, Redaction.isSensitive(name), name);
        }
    }

    @Test
    void urlsCommandLinesAndArgumentsHideTheirCredentials() {
        assertEquals("https://x/cb?access_token=***&page=2&key=***#f",
                Redaction.maskText("https://x/cb?access_token=abc&page=2&key=k1#f"));
        assertEquals("https://u:***@x/", Redaction.maskText("https://u:pw@x/"));
        assertEquals("https://x/?%ff=1&sig=***", Redaction.maskText("https://x/?%ff=1&sig=s"));
        assertEquals("mysql --password=*** --user root db", Redaction.maskText("mysql --password=hunter2 --user root db"));
        assertEquals("tool --token *** -v", Redaction.maskText("tool --token abc -v"));
        assertEquals("curl 'https://x/?api_key=***'", Redaction.maskText("curl 'https://x/?api_key=zzz'"));
        JsonObject job = Json.createReader(new StringReader("""
                {"command":{"type":"exec","argv":["/x","--password","hunter2","--user","root","--jwt=e.y.j",
                "https://h/?token=t"],"cmd":"run --secret s3","url":"http://h/?password=p&q=1"}}""")).readObject();
        JsonObject shown = Redaction.redact(job).asJsonObject().getJsonObject("command");
        assertEquals("[\"/x\",\"--password\",\"***\",\"--user\",\"root\",\"--jwt=***\",\"https://h/?token=***\"]",
                shown.getJsonArray("argv").toString());
        assertEquals("run --secret ***", shown.getString("cmd"));
        assertEquals("http://h/?password=***&q=1", shown.getString("url"));
    }
}
