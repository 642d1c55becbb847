package io.queueserver.security;

import io.queueserver.core.InvalidField;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {
    private static final String K1 = "k1:" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final String K2 = "k2:" + Base64.getEncoder().encodeToString("0123456789abcdef".getBytes());
    private static final JsonObject JOB = Json.createReader(new StringReader("""
            {"context":"c","command":{"type":"http","url":"http://h/","headers":{"Authorization":"Bearer abc",
            "X-Trace":"t"},"params":{"password":"p","n":1}},
            "callback_done":{"type":"exec","argv":["/x"],"env":{"DB_PASSWORD":"d","MODE":"m"}}}""")).readObject();

    @Test
    void secretsAreSealedAtRestAndOpenedToRun() {
        SecretBox box = SecretBox.of(K2 + "," + K1);
        JsonObject sealed = box.seal(JOB);
        String stored = sealed.toString();
        for (String secret : new String[] {"Bearer abc", "\"p\"", "\"d\""}) {
            assertFalse(stored.contains(secret), secret + " stored in clear: " + stored);
        }
        assertTrue(sealed.getJsonObject("command").getJsonObject("headers").getString("Authorization")
                .startsWith("sealed:v1:k2:"));
        assertEquals("t", sealed.getJsonObject("command").getJsonObject("headers").getString("X-Trace"));
        assertEquals("m", sealed.getJsonObject("callback_done").getJsonObject("env").getString("MODE"));
        assertEquals(JOB, box.open(sealed));
    }

    @Test
    void olderKeysStillOpenAfterARotation() {
        JsonObject underK1 = SecretBox.of(K1).seal(JOB);
        assertEquals(JOB, SecretBox.of(K2 + "," + K1).open(underK1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretBox.of(K2).open(underK1));
        assertTrue(e.getMessage().contains("key id 'k1'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> SecretBox.of(null).open(underK1));
    }

    @Test
    void aSealedValueCannotBeChangedOrMovedToAnotherMember() {
        SecretBox box = SecretBox.of(K1);
        String value = box.seal(JOB).getJsonObject("command").getJsonObject("headers").getString("Authorization");
        JsonObject moved = Json.createObjectBuilder().add("Cookie", value).build();
        assertThrows(IllegalStateException.class, () -> box.open(moved));
        String flipped = value.substring(0, value.length() - 3) + (value.endsWith("A==") ? "B==" : "A==");
        assertThrows(IllegalStateException.class,
                () -> box.open(Json.createObjectBuilder().add("Authorization", flipped).build()));
    }

    @Test
    void aSubmittedValueThatLooksSealedIsRefusedNamingItsField() {
        String sealed = SecretBox.of(K1).seal(JOB).getJsonObject("command").getJsonObject("headers")
                .getString("Authorization");
        JsonObject replay = Json.createReader(new StringReader("{\"command\":{\"type\":\"http\",\"url\":\"http://x/\","
                + "\"params\":{\"q\":[\"a\",\"" + sealed + "\"]}}}")).readObject();
        for (String config : new String[] {K1, null}) {
            InvalidField refused = assertThrows(InvalidField.class, () -> SecretBox.of(config).seal(replay, "[2]"));
            assertEquals("[2].command.params.q[1]", refused.field());
            assertEquals(400, refused.status());
        }
    }

    /** Every job is opened when it starts: one with nothing sealed is not copied. */
    @Test
    void aJobWithNothingSealedIsOpenedAsItIs() {
        assertSame(JOB, SecretBox.of(K1).open(JOB));
        JsonObject sealed = SecretBox.of(K1).seal(JOB);
        assertSame(sealed.getJsonObject("command").get("url"),
                SecretBox.of(K1).open(sealed).getJsonObject("command").get("url"));
    }

    @Test
    void withoutAKeyNothingChanges() {
        assertSame(JOB, SecretBox.of("").seal(JOB));
        assertEquals(JOB, SecretBox.of(null).open(JOB));
        assertThrows(IllegalArgumentException.class, () -> SecretBox.of("k1:c2hvcnQ="));
        assertThrows(IllegalArgumentException.class, () -> SecretBox.of("no-id"));
    }
}
