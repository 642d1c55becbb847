package io.queueserver.security;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Slows down token guessing: after {@value #FREE} refused tokens from one address, that address is locked out for
 * a time that doubles with each further refusal, up to {@link #MAX_LOCK_MILLIS}; an accepted token or a quarter
 * of an hour without refusals forgets it. At most {@value #TRACKED} addresses are remembered (the least recently
 * seen is forgotten first), so a flood of addresses costs bounded memory.
 */
public final class AuthFailures {
    static final int FREE = 5;
    static final int TRACKED = 10_000;
    static final long MAX_LOCK_MILLIS = TimeUnit.MINUTES.toMillis(5);
    private static final long FORGET_NANOS = TimeUnit.MINUTES.toNanos(15);

    private record Entry(int failures, long lastNanos, long lockedUntilNanos) {
    }

    private final LongSupplier nanoClock;
    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > TRACKED;
        }
    };

    public AuthFailures() {
        this(System::nanoTime);
    }

    AuthFailures(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** How long this address must still wait, in milliseconds; 0 when it may try. */
    public synchronized long lockedForMillis(String address) {
        Entry e = entries.get(String.valueOf(address));
        long now = nanoClock.getAsLong();
        if (e == null || now - e.lockedUntilNanos() >= 0) {
            return 0;
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(e.lockedUntilNanos() - now));
    }

    public synchronized void failed(String address) {
        String key = String.valueOf(address);
        long now = nanoClock.getAsLong();
        Entry e = entries.get(key);
        int failures = e == null || now - e.lastNanos() > FORGET_NANOS ? 1 : e.failures() + 1;
        long lock = failures <= FREE ? 0
                : Math.min(MAX_LOCK_MILLIS, 1000L << Math.min(20, failures - FREE - 1));
        entries.put(key, new Entry(failures, now, now + TimeUnit.MILLISECONDS.toNanos(lock)));
    }

    public synchronized void succeeded(String address) {
        entries.remove(String.valueOf(address));
    }
}
