package io.queueserver.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** All flow-control rules at one moment, indexed for the claim: which apply to a key, a host, a context. */
public final class LimitBook {
    public static final LimitBook EMPTY = new LimitBook(List.of());

    private final Map<String, LimitRule> byKey = new TreeMap<>();
    private final Map<String, LimitRule> exact = new HashMap<>();
    private final List<LimitRule> patterns = new ArrayList<>();
    private final Map<String, LimitRule> hosts = new HashMap<>();
    private final Set<String> pausedContexts;
    private final boolean queuePaused;
    private final boolean retries;

    public LimitBook(Collection<LimitRule> rules) {
        for (LimitRule r : rules) {
            byKey.put(r.key(), r);
            switch (r.kind()) {
                case KEY -> exact.put(r.key(), r);
                case PATTERN -> patterns.add(r);
                case HOST -> hosts.put(r.name(), r);
                default -> { }
            }
        }
        pausedContexts = rules.stream().filter(r -> r.kind() == LimitRule.Kind.CONTEXT && r.paused())
                .map(LimitRule::name).collect(Collectors.toUnmodifiableSet());
        queuePaused = rules.stream().anyMatch(r -> r.kind() == LimitRule.Kind.QUEUE && r.paused());
        retries = rules.stream().anyMatch(r -> r.retry() != null);
    }

    public Collection<LimitRule> all() {
        return byKey.values();
    }

    public Optional<LimitRule> rule(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The key and pattern rules that apply to jobs of this concurrency key. */
    public List<LimitRule> forKey(String concurrencyKey) {
        List<LimitRule> rules = new ArrayList<>(2);
        LimitRule own = exact.get(concurrencyKey);
        if (own != null) {
            rules.add(own);
        }
        for (LimitRule p : patterns) {
            if (p.appliesTo(concurrencyKey)) {
                rules.add(p);
            }
        }
        return rules;
    }

    /**
     * The rule whose retry policy applies to jobs of this concurrency key: the key's own rule, else the matching
     * pattern with the longest prefix, of those that have one.
     */
    public Optional<LimitRule> retryRule(String concurrencyKey) {
        if (!retries) {
            return Optional.empty();
        }
        LimitRule own = exact.get(concurrencyKey);
        if (own != null && own.retry() != null) {
            return Optional.of(own);
        }
        return patterns.stream().filter(p -> p.retry() != null && p.appliesTo(concurrencyKey))
                .max(java.util.Comparator.comparingInt(p -> p.name().length()));
    }

    /** The claims with their keys' retry policies applied ({@link KeyRetry}); the same list when no rule has one. */
    public List<Claim> withKeyRetry(List<Claim> claims) {
        if (!retries) {
            return claims;
        }
        return claims.stream().map(c -> retryRule(c.concurrencyKey()).map(r -> r.retry().applyTo(c)).orElse(c)).toList();
    }

    public Optional<LimitRule> forHost(String host) {
        return host == null ? Optional.empty() : Optional.ofNullable(hosts.get(host));
    }

    public boolean limitsHosts() {
        return !hosts.isEmpty();
    }

    public Set<String> pausedContexts() {
        return pausedContexts;
    }

    public boolean queuePaused() {
        return queuePaused;
    }

    /** Whether a claim of these keys must count running jobs and take tokens, i.e. lock the rules it obeys. */
    public boolean throttlesAny(Collection<String> concurrencyKeys) {
        return limitsHosts() || concurrencyKeys.stream().anyMatch(k -> forKey(k).stream().anyMatch(LimitRule::throttles));
    }
}
