package io.queueserver.engine;

import io.queueserver.store.Settings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Scopes data-grid messages to this installation: every message carries the installation id stored in the database
 * (generated once), and with {@code QUEUE_CLUSTER_SECRET} set an HMAC-SHA256 over id and body. A node drops any
 * message of another installation (another database), or without a valid signature, before acting on it.
 */
@ApplicationScoped
public class GridEnvelope {
    private static final Logger LOG = Logger.getLogger(GridEnvelope.class.getName());
    private static final char SEPARATOR = '\u001f';

    @Inject
    Settings settings;

    @Inject
    @ConfigProperty(name = "queue.cluster.secret")
    Optional<String> secret;

    private volatile String installation;

    /** The installation id, read from the database once. */
    public String installation() throws SQLException {
        String id = installation;
        if (id == null) {
            id = settings.installationId();
            installation = id;
        }
        return id;
    }

    public String seal(String body) throws SQLException {
        String scoped = installation() + SEPARATOR + body;
        return scoped + SEPARATOR + signature(scoped);
    }

    /** The body of a message of this installation with a valid signature, else empty. */
    public Optional<String> open(String message) {
        int first = message.indexOf(SEPARATOR);
        int last = message.lastIndexOf(SEPARATOR);
        if (first < 0 || last <= first) {
            return Optional.empty();
        }
        String scoped = message.substring(0, last);
        try {
            if (!message.substring(0, first).equals(installation())
                    || !MessageDigest.isEqual(signature(scoped).getBytes(StandardCharsets.UTF_8),
                    message.substring(last + 1).getBytes(StandardCharsets.UTF_8))) {
                LOG.fine("dropped a data-grid message of another installation or with a bad signature");
                return Optional.empty();
            }
        } catch (SQLException e) {
            return Optional.empty();
        }
        return Optional.of(message.substring(first + 1, last));
    }

    private String signature(String text) {
        if (secret.isEmpty() || secret.get().isBlank()) {
            return "";
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.get().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
