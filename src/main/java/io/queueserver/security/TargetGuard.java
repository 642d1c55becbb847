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
 * The SSRF guard of http jobs and callbacks. At submit, hosts that are refused without asking DNS (addresses in
 * any spelling, metadata names, {@code localhost}, hosts outside {@code QUEUE_HTTP_ALLOW_HOSTS}) are answered 403.
 * Before every connection (each redirect hop too) the host is resolved and every address is checked; the HTTP
 * client then resolves the same name from the JVM's address cache, so it connects to an address checked here
 * (see the README for the remaining window).
 */
@ApplicationScoped
public class TargetGuard {
    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog", "metadata",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal");

    private boolean denyInternal;
    private List<String> allowedHosts;

    protected TargetGuard() {
    }

    @Inject
    public TargetGuard(@ConfigProperty(name = "queue.http.deny.private", defaultValue = "false") boolean denyInternal,
                       @ConfigProperty(name = "queue.http.allow.hosts") Optional<String> allowedHosts) {
        this.denyInternal = denyInternal;
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

    /** Connect-time check: resolves the host; returns why the target is refused, or empty when it may be called. */
    public Optional<String> refusalBeforeConnect(URI url) {
        String refusal = refusalWithoutDns(url);
        if (refusal != null) {
            return Optional.of(refusal);
        }
        String host = host(url);
        if (NumericHost.parse(host).isPresent()) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("host '" + host + "' could not be resolved");
        }
        for (InetAddress address : addresses) {
            String why = refusal(address);
            if (why != null) {
                return Optional.of("host '" + host + "' resolves to " + address.getHostAddress() + ", " + why);
            }
        }
        return Optional.empty();
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
        if (literal.isPresent()) {
            String why = refusal(literal.get());
            return why == null ? null : "address " + literal.get().getHostAddress() + " is " + why.substring(3);
        }
        if (METADATA_NAMES.contains(name)) {
            return "host '" + name + "' is a cloud metadata service, which is never called";
        }
        if (denyInternal && (name.equals("localhost") || name.endsWith(".localhost"))) {
            return "host '" + name + "' is loopback, which this server does not call (QUEUE_HTTP_DENY_PRIVATE=true)";
        }
        return null;
    }

    /** Why an address is refused ("is ..."), or null. */
    private String refusal(InetAddress address) {
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
        return NumericHost.parse(host).isPresent() ? host : null;
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
