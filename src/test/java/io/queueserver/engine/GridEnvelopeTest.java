package io.queueserver.engine;

import io.queueserver.store.Settings;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data-grid messages are scoped to the installation (its database) and, with a cluster secret, signed. */
class GridEnvelopeTest {
    private static GridEnvelope of(String installation, String secret) {
        GridEnvelope envelope = new GridEnvelope();
        envelope.settings = new Settings() {
            @Override
            public String installationId() {
                return installation;
            }
        };
        envelope.secret = Optional.ofNullable(secret);
        return envelope;
    }

    @Test
    void aMessageOfTheSameInstallationIsOpened() throws Exception {
        GridEnvelope a = of("install-a", null);
        assertEquals(Optional.of("cancel:1:1"), a.open(a.seal("cancel:1:1")));
    }

    @Test
    void aMessageOfAnotherInstallationIsDropped() throws Exception {
        assertTrue(of("install-a", null).open(of("install-b", null).seal("cancel:1:1")).isEmpty());
    }

    @Test
    void withASecretOnlySignedMessagesAreOpened() throws Exception {
        GridEnvelope signed = of("install-a", "s3cret");
        assertEquals(Optional.of("wake"), signed.open(signed.seal("wake")));
        assertTrue(signed.open(of("install-a", null).seal("wake")).isEmpty(), "unsigned");
        assertTrue(signed.open(of("install-a", "other").seal("wake")).isEmpty(), "another secret");
        String forged = signed.seal("wake").replace("wake", "cancel:1:1");
        assertTrue(signed.open(forged).isEmpty(), "a changed body breaks the signature");
        assertTrue(signed.open("cancel:1:1").isEmpty(), "a bare message of an older version");
    }
}
