package io.queueserver.api;

import io.queueserver.core.InvalidField;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestBodyTest {

    private static JsonValue read(String body, String type) {
        return RequestBody.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), type, 1024);
    }

    private static InvalidField refused(byte[] body, String type) {
        return assertThrows(InvalidField.class, () -> RequestBody.read(new ByteArrayInputStream(body), type, 1024));
    }

    @Test
    void json() {
        assertEquals(800, ((JsonObject) read("{\"priority\":800}", "application/json; charset=utf-8")).getInt("priority"));
    }

    @Test
    void formWithBracketsBecomesNestedJson() {
        JsonObject job = (JsonObject) read("priority=800&command%5Btype%5D=http&command[url]=http%3A%2F%2Fx%2F"
                + "&command[params][username]=michael", "application/x-www-form-urlencoded");
        assertEquals("800", job.getString("priority"));
        assertEquals("http", job.getJsonObject("command").getString("type"));
        assertEquals("http://x/", job.getJsonObject("command").getString("url"));
        assertEquals("michael", job.getJsonObject("command").getJsonObject("params").getString("username"));
    }

    @Test
    void formFieldHoldingJson() {
        JsonObject job = (JsonObject) read("command=%7B%22type%22%3A%22http%22%7D", "application/x-www-form-urlencoded");
        assertEquals("http", job.getJsonObject("command").getString("type"));
    }

    @Test
    void jsonSentAsFormByCurlIsReadAsJson() {
        assertEquals(1, ((JsonObject) read("{\"a\":1}", "application/x-www-form-urlencoded")).getInt("a"));
    }

    @Test
    void refusals() {
        assertEquals(415, refused("{}".getBytes(), "text/plain").status());
        assertEquals(413, refused(new byte[1025], "application/json").status());
        InvalidField syntax = refused("{\"a\":".getBytes(), "application/json");
        assertEquals("body", syntax.field());
        assertEquals(400, syntax.status());
        assertEquals("body", refused(new byte[] {'{', '"', (byte) 0xC3, '"', '}'}, "application/json").field());
        assertEquals("body", refused("   ".getBytes(), "application/json").field());
        assertEquals("body", refused("{} {}".getBytes(), "application/json").field());
        assertEquals("body", refused("[".repeat(40).concat("]".repeat(40)).getBytes(), "application/json").field());
        assertEquals(400, refused("command[type]=a&command[type][x]=b".getBytes(),
                "application/x-www-form-urlencoded").status());
    }

    @Test
    void emptyBodyIsAnEmptyObjectWhenOptional() {
        assertEquals(JsonValue.EMPTY_JSON_OBJECT,
                RequestBody.read(new ByteArrayInputStream(new byte[0]), null, 1024, false));
    }
}
