package io.queueserver.security;

import io.queueserver.core.InvalidField;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The SSRF guard of http jobs and callbacks. At submit, hosts that are refused without asking DNS (refused
 * addresses, IPv4 literals in any spelling but the plain dotted quad, metadata names, {@code localhost}, this
 * server's own API, hosts outside {@code QUEUE_HTTP_ALLOW_HOSTS}) are answered 403. Before every connection (each
 * redirect hop too) the same checks run and a name is resolved and every address checked. A literal address is
 * connected in the spelling this guard produced from it, so no other parser gets to read it; a name is resolved
 * again by the HTTP client from the JVM's address cache (see the README for the remaining window).
 */
@ApplicationScoped
public class TargetGuard {
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal");

    private boolean denyInternal;
    private List<String> allowedHosts;
    private OwnEndpoints own;

    protected TargetGuard() {
    }

    /** For tests: a server that has served no request yet, so it knows none of its ports. */
    public TargetGuard(boolean denyInternal, Optional<String> allowedHosts) {
        this(denyInternal, allowedHosts, new OwnEndpoints());
    }

    @Inject
    public TargetGuard(@ConfigProperty(name = "queue.http.deny.private", defaultValue = "false") boolean denyInternal,
                       @ConfigProperty(name = "queue.http.allow.hosts") Optional<String> allowedHosts,
                       OwnEndpoints own) {
        this.denyInternal = denyInternal;
        this.own = own;
        this.allowedHosts = allowedHosts.map(h -> Arrays.stream(h.split(","))
                .map(s -> normalize(s.trim())).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
    }

    /** The defaults: internal addresses allowed, no host list. */
    public static TargetGuard standard() {
        return new TargetGuard(false, Optional.empty());
    }

    /** Submit-time check, no DNS; throws 403 naming {@code field}. */
    public void checkAtSubmit(URI url, String field) {
        String refusal = refusalWithoutDns(url);
        if (refusal != null) {
            throw new InvalidField(403, field, refusal);
        }
    }

    /** A connect-time verdict: the URL to connect, or why the target is refused. */
    public record Checked(URI connect, String refusal) {
        public boolean refused() {
            return refusal != null;
        }
    }

    /** Connect-time check: resolves the host; returns why the target is refused, or empty when it may be called. */
    public Optional<String> refusalBeforeConnect(URI url) {
        return Optional.ofNullable(beforeConnect(url).refusal());
    }

    /**
     * Connect-time check. A literal address comes back rewritten in the guard's own spelling of the address it
     * checked; a name comes back as it is, after every address it resolves to was checked.
     */
    public Checked beforeConnect(URI url) {
        String refusal = refusalWithoutDns(url);
        if (refusal != null) {
            return new Checked(null, refusal);
        }
        String host = host(url);
        Optional<InetAddress> literal = NumericHost.parse(host);
        if (literal.isPresent()) {
            return new Checked(withHost(url, host, literal.get()), null);
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new Checked(null, "host '" + host + "' could not be resolved");
        }
        for (InetAddress address : addresses) {
            String why = refusal(address, port(url));
            if (why != null) {
                return new Checked(null, "host '" + host + "' resolves to " + address.getHostAddress() + ", " + why);
            }
        }
        return new Checked(url, null);
    }

    private static URI withHost(URI url, String host, InetAddress address) {
        String spelled = address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        String authority = url.getRawAuthority();
        int at = authority.lastIndexOf(host);
        String rewritten = authority.substring(0, at) + spelled + authority.substring(at + host.length());
        return URI.create(url.getScheme() + "://" + rewritten + (url.getRawPath() == null ? "" : url.getRawPath())
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    /** The port a URL connects to, also for numeric spellings java.net.URI does not read as a host. */
    public static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        String authority = url.getRawAuthority();
        int colon = authority == null ? -1 : authority.lastIndexOf(':');
        if (colon >= 0 && !authority.endsWith("]")) {
            try {
                return Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    /** Whether {@link #refusalBeforeConnect} has to resolve a name, and so may block its thread. */
    public boolean needsLookup(URI url) {
        String host = host(url);
        return host != null && !host.isEmpty() && NumericHost.parse(host).isEmpty();
    }

    private String refusalWithoutDns(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must use http or https";
        }
        String host = host(url);
        if (host == null || host.isEmpty()) {
            return null;
        }
        String name = normalize(host);
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(a -> hostMatches(a, name))) {
            return "host '" + name + "' is not in QUEUE_HTTP_ALLOW_HOSTS";
        }
        Optional<InetAddress> literal = NumericHost.parse(host);
        if (!NumericHost.isPlainSpelling(host)) {
            return "address '" + host + "' must be written as a plain dotted quad such as 192.0.2.10: leading zeros,"
                    + " hex or octal parts and fewer than four parts are refused, because resolvers read them differently";
        }
        if (literal.isPresent()) {
            String why = refusal(literal.get(), port(url));
            return why == null ? null : "address " + literal.get().getHostAddress() + " is " + why.substring(3);
        }
        if (METADATA_NAMES.contains(name)) {
            return "host '" + name + "' is a cloud metadata service, which is never called";
        }
        boolean loopbackName = name.equals("localhost") || name.endsWith(".localhost");
        if (loopbackName && denyInternal) {
            return "host '" + name + "' is loopback, which this server does not call (QUEUE_HTTP_DENY_PRIVATE=true)";
        }
        if (loopbackName && own.isOwn(InetAddress.getLoopbackAddress(), port(url))) {
            return "host '" + name + "' " + ownApi(port(url));
        }
        return null;
    }


    private static String ownApi(int port) {
        return "is this server's own API (port " + port + "), which jobs and callbacks may not call";
    }

    /** Why an address is refused ("is ..."), or null. */
    private String refusal(InetAddress address, int port) {
        if (own.isOwn(address, port)) {
            return ownApi(port);
        }
        AddressKind kind = AddressKind.of(address);
        return switch (kind.kind()) {
            case FORBIDDEN -> "is " + kind.description() + ", which is never called";
            case INTERNAL -> denyInternal
                    ? "is " + kind.description() + ", which this server does not call (QUEUE_HTTP_DENY_PRIVATE=true)"
                    : null;
            case PUBLIC -> null;
        };
    }

    /** The host of a URL, also when java.net.URI sees a numeric spelling ({@code 127.1}) as a registry authority. */
    public static String host(URI url) {
        if (url.getHost() != null) {
            return url.getHost();
        }
        String authority = url.getRawAuthority();
        if (authority == null || authority.contains("@")) {
            return null;
        }
        int colon = authority.lastIndexOf(':');
        String host = colon >= 0 && !authority.endsWith("]") ? authority.substring(0, colon) : authority;
        return NumericHost.parse(host).isPresent() || !NumericHost.isPlainSpelling(host) ? host : null;
    }

    private static boolean hostMatches(String allowed, String host) {
        return allowed.startsWith("*.") ? host.endsWith(allowed.substring(1)) : allowed.equals(host);
    }

    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }
}
