package io.queueserver.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bearer tokens of {@code QUEUE_API_TOKENS}: {@code <token>[:<scope>[:<context>+<context>...]]}, comma-separated;
 * scope {@code read}, {@code submit} or {@code admin} ({@link Grant}); a token without a scope is admin. A presented
 * token is compared with every configured one through SHA-256 digests and {@link MessageDigest#isEqual}, so the
 * time taken says nothing about how much of it matched, nor about the configured tokens' lengths.
 */
public final class ApiTokens {
    private record Known(byte[] digest, Grant grant) {
    }

    private final List<Known> known;

    private ApiTokens(List<Known> known) {
        this.known = known;
    }

    public static ApiTokens parse(String config) {
        if (config == null) {
            return new ApiTokens(List.of());
        }
        return new ApiTokens(Arrays.stream(config.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .map(ApiTokens::entry).toList());
    }

    private static Known entry(String item) {
        String[] parts = item.split(":", 3);
        Grant.Scope scope = Grant.Scope.ADMIN;
        if (parts.length > 1) {
            try {
                scope = Grant.Scope.valueOf(parts[1].trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("QUEUE_API_TOKENS: scope '" + parts[1]
                        + "' is not read, submit or admin");
            }
        }
        Set<String> contexts = parts.length > 2 ? Arrays.stream(parts[2].split("\\+")).map(String::trim)
                .filter(c -> !c.isEmpty()).collect(Collectors.toSet()) : Set.of();
        try {
            return new Known(digest(parts[0].trim()), new Grant(scope, contexts));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("QUEUE_API_TOKENS: " + e.getMessage());
        }
    }

    /** The configured tokens themselves, without scopes (to warn about short ones). */
    public static List<String> values(String config) {
        return Arrays.stream(config.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .map(t -> t.split(":", 2)[0]).toList();
    }

    public boolean isEmpty() {
        return known.isEmpty();
    }

    public boolean accepts(String token) {
        return grantOf(token).isPresent();
    }

    /** What the token may do; empty when it is none of the configured ones. Every configured token is compared. */
    public Optional<Grant> grantOf(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = digest(token);
        Grant found = null;
        for (Known k : known) {
            if (MessageDigest.isEqual(k.digest(), presented) && found == null) {
                found = k.grant();
            }
        }
        return Optional.ofNullable(found);
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
