package io.queueserver.security;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who may use the API. With tokens configured every request needs one of them. Without, only loopback clients
 * are served, and only when they address the server by a loopback name, so that a web page whose DNS name
 * is re-pointed at 127.0.0.1 (DNS rebinding) cannot reach the API through a local browser.
 */
public final class ApiAccess {
    private static final Pattern LITERAL_ADDRESS = Pattern.compile("[0-9.]+|\\[[0-9a-f:.]+\\]");
    private final ApiTokens tokens;

    public ApiAccess(ApiTokens tokens) {
        this.tokens = tokens;
    }

    /** Who is calling: the grant of an accepted request, or why it is refused. */
    public record Decision(Grant grant, String refusal) {
        static Decision refused(String why) {
            return new Decision(null, why);
        }
    }

    /** Why the request is refused, or empty when it may pass. */
    public Optional<String> refusal(String remoteAddress, String hostHeader, String authorization) {
        return Optional.ofNullable(decide(remoteAddress, hostHeader, authorization).refusal());
    }

    public Decision decide(String remoteAddress, String hostHeader, String authorization) {
        if (!tokens.isEmpty()) {
            String token = ApiTokens.fromAuthorization(authorization);
            if (token == null) {
                return Decision.refused("an API token is required: send 'Authorization: Bearer <token>' with one of"
                        + " the tokens configured in QUEUE_API_TOKENS");
            }
            return tokens.grantOf(token).map(g -> new Decision(g, null)).orElseGet(() -> Decision.refused(
                    "the API token is not valid (it must be one of the tokens in QUEUE_API_TOKENS)"));
        }
        if (!isLoopback(remoteAddress)) {
            return Decision.refused("this server has no API token configured and serves only clients on its own"
                    + " machine (loopback); to allow remote clients start it with QUEUE_API_TOKENS=<a long random"
                    + " token> and send 'Authorization: Bearer <token>'");
        }
        if (!isLoopbackName(hostHeader)) {
            return Decision.refused("without QUEUE_API_TOKENS the server must be addressed as localhost, 127.0.0.1"
                    + " or [::1] (Host header); configure QUEUE_API_TOKENS to use other names");
        }
        return new Decision(Grant.ADMIN, null);
    }

    static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        return NumericHost.parse(address).map(InetAddress::isLoopbackAddress).orElse(false);
    }

    static boolean isLoopbackName(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end < 0 ? host : host.substring(0, end + 1);
        } else if (host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        return LITERAL_ADDRESS.matcher(host).matches() && isLoopback(host);
    }
}
