package io.queueserver.security;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Secrets at rest ({@code QUEUE_SECRET_KEY=k2:<base64>,k1:<base64>}, the first is current): every scalar of a
 * payload whose member name {@link Redaction} calls secret (header values, params, env, at any depth) is stored as
 * {@code sealed:v1:<key id>:<base64 of nonce + AES-GCM ciphertext>}, the member name bound in as associated data so
 * a sealed value cannot be moved to another member. Older key ids still open, so keys rotate by putting a new one
 * first. Without a key nothing is sealed, and a job that holds sealed values cannot be opened (it fails).
 */
@ApplicationScoped
public class SecretBox {
    static final String PREFIX = "sealed:v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private final SecureRandom random = new SecureRandom();
    private Map<String, SecretKey> keys;
    private String current;

    protected SecretBox() {
    }

    @Inject
    public SecretBox(@ConfigProperty(name = "queue.secret.key") Optional<String> config) {
        keys = new LinkedHashMap<>();
        for (String item : config.orElse("").split(",")) {
            String entry = item.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("QUEUE_SECRET_KEY entries must be <key id>:<base64 AES key>");
            }
            String id = entry.substring(0, colon);
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("QUEUE_SECRET_KEY key " + id + " is not base64");
            }
            if (key.length != 16 && key.length != 24 && key.length != 32 || !id.matches("[A-Za-z0-9_-]{1,32}")) {
                throw new IllegalArgumentException("QUEUE_SECRET_KEY key " + id + " must be 16, 24 or 32 bytes"
                        + " (e.g. openssl rand -base64 32) under an id of letters, digits, '_' or '-'");
            }
            keys.put(id, new SecretKeySpec(key, "AES"));
            current = current == null ? id : current;
        }
    }

    public static SecretBox of(String config) {
        return new SecretBox(Optional.ofNullable(config));
    }

    public boolean sealing() {
        return current != null;
    }

    /** The payload with its secret values sealed under the current key; unchanged without a key. */
    public JsonObject seal(JsonObject payload) {
        return seal(payload, "");
    }

    /**
     * As {@link #seal(JsonObject)} for a submitted job at {@code path}. A submitted value that already looks sealed
     * is refused, naming its field: only the server seals, else a client holding a sealed value (a database dump)
     * could put it into a job of its own and have the server open it and send it to a target of its choosing.
     */
    public JsonObject seal(JsonObject payload, String path) {
        refuseSealed(payload, path);
        return sealing() ? (JsonObject) walk(payload, null, true) : payload;
    }

    private static void refuseSealed(JsonValue value, String path) {
        if (value instanceof JsonObject object) {
            object.forEach((member, v) -> refuseSealed(v, path.isEmpty() ? member : path + "." + member));
        } else if (value instanceof JsonArray array) {
            for (int i = 0; i < array.size(); i++) {
                refuseSealed(array.get(i), path + "[" + i + "]");
            }
        } else if (value instanceof JsonString s && s.getString().startsWith(PREFIX)) {
            throw new InvalidField(path, "must not start with '" + PREFIX + "': only the server seals secrets");
        }
    }

    /** The payload with every sealed value opened; throws when a value's key is not configured or was tampered. */
    public JsonObject open(JsonObject payload) {
        return (JsonObject) walk(payload, null, false);
    }

    /** The value with its secrets sealed or opened; a part with none is returned as it is (every job is opened). */
    private JsonValue walk(JsonValue value, String name, boolean seal) {
        if (value instanceof JsonObject object) {
            JsonObjectBuilder b = null;
            int seen = 0;
            for (Map.Entry<String, JsonValue> e : object.entrySet()) {
                JsonValue walked = walk(e.getValue(), e.getKey(), seal);
                if (b == null && walked != e.getValue()) {
                    JsonObjectBuilder copy = Json.createObjectBuilder();
                    object.entrySet().stream().limit(seen).forEach(before -> copy.add(before.getKey(), before.getValue()));
                    b = copy;
                }
                if (b != null) {
                    b.add(e.getKey(), walked);
                }
                seen++;
            }
            return b == null ? object : b.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder b = null;
            for (int i = 0; i < array.size(); i++) {
                JsonValue walked = walk(array.get(i), name, seal);
                if (b == null && walked != array.get(i)) {
                    b = Json.createArrayBuilder();
                    for (int j = 0; j < i; j++) {
                        b.add(array.get(j));
                    }
                }
                if (b != null) {
                    b.add(walked);
                }
            }
            return b == null ? array : b.build();
        }
        if (seal && name != null && Redaction.isSensitive(name) && scalar(value) != null) {
            return Json.createValue(seal(scalar(value), name));
        }
        if (!seal && value instanceof JsonString s && s.getString().startsWith(PREFIX)) {
            return Json.createValue(open(s.getString(), String.valueOf(name)));
        }
        return value;
    }

    private static String scalar(JsonValue value) {
        return switch (value.getValueType()) {
            case STRING -> ((JsonString) value).getString();
            case NUMBER -> ((JsonNumber) value).toString();
            default -> null;
        };
    }

    private String seal(String plain, String name) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.get(current), nonce, name,
                plain.getBytes(StandardCharsets.UTF_8), 0);
        byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        return PREFIX + current + ":" + Base64.getEncoder().encodeToString(out);
    }

    private String open(String text, String name) {
        String rest = text.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        String id = colon < 0 ? "" : rest.substring(0, colon);
        SecretKey key = keys.get(id);
        if (key == null) {
            throw new IllegalStateException("a secret of this job was sealed with key id '" + id
                    + "', which QUEUE_SECRET_KEY does not hold");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(rest.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a sealed secret of this job (" + name + ") is damaged");
        }
        if (data.length <= NONCE_BYTES) {
            throw new IllegalStateException("a sealed secret of this job (" + name + ") is damaged");
        }
        byte[] nonce = java.util.Arrays.copyOf(data, NONCE_BYTES);
        return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, name, data, NONCE_BYTES), StandardCharsets.UTF_8);
    }

    private static byte[] crypt(int mode, SecretKey key, byte[] nonce, String name, byte[] data, int offset) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(data, offset, data.length - offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed secret of this job (" + name + ") could not be opened: the"
                    + " key does not match or the value was changed");
        }
    }
}
