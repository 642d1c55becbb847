package io.queueserver.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The bearer tokens of {@code QUEUE_API_TOKENS}. A presented token is compared with every configured one through
 * SHA-256 digests and {@link MessageDigest#isEqual}, so the time taken says nothing about how much of it matched,
 * nor about the configured tokens' lengths.
 */
public final class ApiTokens {
    private final List<byte[]> digests;

    private ApiTokens(List<byte[]> digests) {
        this.digests = digests;
    }

    public static ApiTokens parse(String config) {
        if (config == null) {
            return new ApiTokens(List.of());
        }
        return new ApiTokens(Arrays.stream(config.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .map(ApiTokens::digest).toList());
    }

    public boolean isEmpty() {
        return digests.isEmpty();
    }

    public boolean accepts(String token) {
        if (token == null || token.isEmpty()) {
            return false;
        }
        byte[] presented = digest(token);
        boolean accepted = false;
        for (byte[] known : digests) {
            accepted |= MessageDigest.isEqual(known, presented);
        }
        return accepted;
    }

    /**
     * The token of an {@code Authorization} header: {@code Bearer <token>}, or {@code Basic} with the token as the
     * password (what a browser's login dialog sends for the dashboard); null when there is none.
     */
    public static String fromAuthorization(String header) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = h.substring(0, space).toLowerCase(Locale.ROOT);
        String value = h.substring(space + 1).strip();
        if (scheme.equals("bearer")) {
            return value;
        }
        if (scheme.equals("basic")) {
            try {
                String pair = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
