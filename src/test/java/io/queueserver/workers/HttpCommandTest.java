package io.queueserver.workers;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JsonFields;
import jakarta.json.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpCommandTest {
    private static HttpCommand withHeader(String name, String value) {
        return HttpCommand.parse(new JsonFields(Json.createObjectBuilder().add("type", "http")
                .add("url", "http://127.0.0.1:9/").add("headers", Json.createObjectBuilder().add(name, value))
                .build(), "command"), 30);
    }

    @Test
    void headerValuesTheClientRefusesAreRefusedAtSubmitWithoutEchoingThem() {
        for (String bad : new String[] {"secret\u0001", "secret\u007f", "secret\u0100", "secret\u20ac", "a\u001fb",
                "x\rInjected: 1", "x\ny", "x\u0000"}) {
            InvalidField e = assertThrows(InvalidField.class, () -> withHeader("Authorization", bad));
            assertEquals(400, e.status());
            assertEquals("command.headers.Authorization", e.field());
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
        for (String good : new String[] {"plain", "tab\there", "caf\u00e9", "\u00ff", "a b ~!"}) {
            assertDoesNotThrow(() -> withHeader("X-Ok", good), good);
        }
    }

    @Test
    void theMarkHeaderCannotBeSetByAJob() {
        InvalidField e = assertThrows(InvalidField.class, () -> withHeader("queue-server-job", "x"));
        assertTrue(e.getMessage().contains("set by the server"));
    }

    @Test
    void originsCompareSchemeHostAndPort() {
        java.net.URI a = java.net.URI.create("http://Example.com/a");
        assertTrue(HttpCommand.sameOrigin(a, java.net.URI.create("http://example.com:80/b")));
        assertFalse(HttpCommand.sameOrigin(a, java.net.URI.create("https://example.com/a")));
        assertFalse(HttpCommand.sameOrigin(a, java.net.URI.create("http://example.com:8080/a")));
        assertFalse(HttpCommand.sameOrigin(a, java.net.URI.create("http://example.org/a")));
    }
}
