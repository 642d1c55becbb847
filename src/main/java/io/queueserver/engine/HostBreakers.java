package io.queueserver.engine;

import io.queueserver.core.AttemptId;
import io.queueserver.core.Claim;
import io.queueserver.core.Outcome;
import io.queueserver.store.Breakers;
import io.queueserver.workers.AnswerRules;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Circuit breakers per target host (README "Per-host circuit breaker"). This node counts the outcomes of its own
 * http jobs per host; when {@code failureRate} of the last {@code window} failed (a retried status: 408, 425, 429,
 * 500, 502, 503, 504; a connect or read error; a timeout), or the last {@code refusedInARow} connections were
 * refused, it opens the host's breaker for every node ({@link Breakers}). A claimed job of an open host does not
 * start: it waits until the cool-down ends and gets its attempt back. Then one node takes the probe in the database
 * and runs one job; jobs of the host claimed meanwhile wait {@link Settings#probeWaitMillis} at a time. The probe's
 * success closes the breaker, its failure opens it again. Every node reads the breakers on its tick.
 */
final class HostBreakers {
    private static final Logger LOG = Logger.getLogger(HostBreakers.class.getName());
    static final int MAX_HOSTS = 10_000;
    static final Duration FORGET_AFTER = Duration.ofMinutes(10);

    /** QUEUE_BREAKER_*; {@code probeHold}: how long a probe keeps the others out before another node may probe. */
    record Settings(int window, double failureRate, int refusedInARow, Duration cooldown, Duration probeHold) {
        /** The settings when {@code mode} is {@code on}; null when it is {@code off}. */
        static Settings of(String mode, int window, double failureRate, int refusedInARow, long cooldownSeconds,
                           long leaseSeconds) {
            if (mode.equalsIgnoreCase("off")) {
                return null;
            }
            if (!mode.equalsIgnoreCase("on")) {
                throw new IllegalStateException("QUEUE_BREAKER must be on or off, not " + mode);
            }
            if (window < 1 || window > 1000 || refusedInARow < 1 || cooldownSeconds < 1
                    || !(failureRate > 0 && failureRate <= 1)) {
                throw new IllegalStateException("QUEUE_BREAKER_WINDOW (1-1000), QUEUE_BREAKER_REFUSED (at least 1),"
                        + " QUEUE_BREAKER_COOLDOWN_SECONDS (at least 1) and QUEUE_BREAKER_FAILURE_RATE (above 0, at"
                        + " most 1) are out of range");
            }
            return new Settings(window, failureRate, refusedInARow, Duration.ofSeconds(cooldownSeconds),
                    Duration.ofSeconds(Math.max(cooldownSeconds, leaseSeconds)));
        }

        long probeWaitMillis() {
            return Math.max(1000, cooldown.toMillis() / 10);
        }
    }

    enum State { CLOSED, OPEN, HALF_OPEN }

    /** A host as this node sees it: its last outcomes (a ring), the breaker's state and this node's probe. */
    static final class Host {
        private final boolean[] failed;
        private int size;
        private int next;
        int failures;
        int refused;
        State state = State.CLOSED;
        long openUntil;
        AttemptId probe;
        String reason;
        /** When this node last changed the host: a read of the table that began before it is older news. */
        long changedAt = Long.MIN_VALUE;
        long seenAt;

        Host(int window) {
            failed = new boolean[window];
        }

        void add(boolean failure, boolean refusal) {
            if (size == failed.length) {
                failures -= failed[next] ? 1 : 0;
            } else {
                size++;
            }
            failed[next] = failure;
            failures += failure ? 1 : 0;
            next = (next + 1) % failed.length;
            refused = refusal ? refused + 1 : 0;
        }

        int requests() {
            return size;
        }

        /** Why the breaker should open now, or null. */
        String tripped(Settings s) {
            if (refused >= s.refusedInARow()) {
                return "the last " + refused + " connections were refused";
            }
            if (size == failed.length && failures >= s.failureRate() * size) {
                return failures + " of the last " + size + " requests failed";
            }
            return null;
        }

        void forgetOutcomes() {
            size = 0;
            next = 0;
            failures = 0;
            refused = 0;
        }
    }

    private final Breakers store;
    private final Settings settings;
    private final String node;
    private final Clock clock;
    private final Map<String, Host> hosts = new ConcurrentHashMap<>();

    HostBreakers(Breakers store, Settings settings, String node, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.node = node;
        this.clock = clock;
    }

    Settings settings() {
        return settings;
    }

    /**
     * The claims that may start. Each other one is handed to {@code paused} as a result at once: its host's breaker
     * is open, or another job probes the host.
     */
    List<Claim> admit(List<Claim> claims, Consumer<Recorder.Result> paused) {
        List<Claim> start = new ArrayList<>(claims.size());
        for (Claim claim : claims) {
            String host = http(claim) ? claim.targetHost() : null;
            Host h = host == null ? null : hosts.get(host);
            Outcome pause = h == null ? null : verdict(host, h, claim);
            if (pause == null) {
                start.add(claim);
            } else {
                paused.accept(new Recorder.Result(claim, pause, true, new CompletableFuture<>()));
            }
        }
        return start;
    }

    private Outcome verdict(String host, Host h, Claim claim) {
        synchronized (h) {
            long now = clock.millis();
            if (h.state == State.CLOSED) {
                return null;
            }
            if (h.state == State.OPEN && now < h.openUntil) {
                long spread = ThreadLocalRandom.current().nextLong(settings.cooldown().toMillis() / 10 + 1);
                return Outcome.paused(h.openUntil - now + spread, "paused by the circuit breaker of host " + host + " ("
                        + h.reason + ") until its cool-down ends");
            }
            if (h.state == State.OPEN && takeProbe(host)) {
                h.state = State.HALF_OPEN;
                h.probe = claim.attemptId();
                h.changedAt = clock.millis();
                LOG.info(() -> "circuit breaker of host " + host + ": job " + claim.id() + " probes it");
                return null;
            }
            h.state = State.HALF_OPEN;
            h.changedAt = clock.millis();
            return Outcome.paused(settings.probeWaitMillis(), "paused by the circuit breaker of host " + host
                    + ": another job probes it");
        }
    }

    private boolean takeProbe(String host) {
        try {
            return store.takeProbe(host, node, settings.probeHold().toMillis());
        } catch (SQLException e) {
            LOG.warning(() -> "circuit breaker of host " + host + ": the probe could not be taken: " + e);
            return false;
        }
    }

    /** A recorded outcome of one of this node's attempts (not a pause). */
    void observe(Claim claim, Outcome outcome) {
        String host = http(claim) ? claim.targetHost() : null;
        Boolean failure = host == null || outcome.next().kind() == Outcome.Kind.PAUSE ? null : failure(outcome);
        if (failure == null) {
            return;
        }
        Host h = hosts.computeIfAbsent(host, k -> new Host(settings.window()));
        synchronized (h) {
            h.seenAt = clock.millis();
            if (claim.attemptId().equals(h.probe)) {
                h.probe = null;
                if (failure) {
                    open(host, h, "the probe failed: " + outcome.error());
                } else {
                    close(host, h);
                }
                return;
            }
            if (h.state != State.CLOSED) {
                return; // started before the breaker opened
            }
            h.add(failure, refused(outcome));
            String why = h.tripped(settings);
            if (why != null) {
                open(host, h, why);
            }
        }
    }

    private void open(String host, Host h, String why) {
        h.state = State.OPEN;
        h.openUntil = clock.millis() + settings.cooldown().toMillis();
        h.reason = why;
        h.forgetOutcomes();
        LOG.warning(() -> "circuit breaker of host " + host + " opens for " + settings.cooldown().toSeconds() + " s: " + why);
        try {
            store.open(host, settings.cooldown().toMillis(), why);
        } catch (SQLException e) {
            LOG.warning(() -> "circuit breaker of host " + host + ": other nodes do not know it is open: " + e);
        }
        h.changedAt = clock.millis();
    }

    private void close(String host, Host h) {
        h.state = State.CLOSED;
        h.reason = "closed: the probe succeeded";
        h.forgetOutcomes();
        LOG.info(() -> "circuit breaker of host " + host + " closes: the probe succeeded");
        try {
            store.close(host, h.reason);
        } catch (SQLException e) {
            LOG.warning(() -> "circuit breaker of host " + host + ": other nodes do not know it is closed: " + e);
        }
        h.changedAt = clock.millis();
    }

    /** Reads the breakers every node shares (on the tick); hosts closed elsewhere close here too. */
    void refresh() throws SQLException {
        long started = clock.millis();
        List<Breakers.Row> rows = store.notClosed();
        Set<String> listed = new HashSet<>();
        for (Breakers.Row row : rows) {
            listed.add(row.host());
            Host h = hosts.computeIfAbsent(row.host(), k -> new Host(settings.window()));
            synchronized (h) {
                if (h.changedAt >= started) {
                    continue;
                }
                h.reason = row.reason();
                boolean probing = row.state().equals(Breakers.HALF_OPEN) && row.probeForMillis() > 0;
                if (probing) {
                    h.state = State.HALF_OPEN;
                } else {
                    h.state = State.OPEN;
                    h.probe = null;
                    h.openUntil = started + (row.state().equals(Breakers.OPEN) ? row.openForMillis() : 0);
                }
            }
        }
        for (Map.Entry<String, Host> e : hosts.entrySet()) {
            Host h = e.getValue();
            synchronized (h) {
                if (!listed.contains(e.getKey()) && h.state != State.CLOSED && h.changedAt < started) {
                    h.state = State.CLOSED;
                    h.probe = null;
                    h.forgetOutcomes();
                }
            }
        }
        if (hosts.size() > MAX_HOSTS) {
            long old = started - FORGET_AFTER.toMillis();
            hosts.values().removeIf(h -> h.state == State.CLOSED && h.seenAt < old);
        }
    }

    /** The hosts this node knows, with its own counts of their last outcomes. */
    List<Engine.Host> view() {
        List<Engine.Host> views = new ArrayList<>();
        hosts.forEach((host, h) -> {
            synchronized (h) {
                views.add(new Engine.Host(host, h.state.name().toLowerCase(java.util.Locale.ROOT), h.requests(),
                        h.failures));
            }
        });
        return views;
    }

    private static boolean http(Claim claim) {
        return claim.job().get("command") instanceof jakarta.json.JsonObject c && "http".equals(c.getString("type", null));
    }

    /** Whether an outcome says its host fails (true), answers (false), or says nothing about it (null). */
    static Boolean failure(Outcome o) {
        if (o.returnCode() != null) {
            return !o.success() && AnswerRules.RETRYABLE.contains(o.returnCode());
        }
        if (o.success()) {
            return false;
        }
        String error = o.error() == null ? "" : o.error();
        if (error.startsWith("refused target") || error.equals("cancelled") || error.contains("stopping")) {
            return null;
        }
        return true;
    }

    static boolean refused(Outcome o) {
        return o.returnCode() == null && o.error() != null && o.error().startsWith("ConnectException");
    }
}
