package io.queueserver.engine;

import java.util.concurrent.Semaphore;

/**
 * The node's job slots: {@code max_threads} jobs run at once on this node, exactly (run-now included). The last
 * {@link #reserved()} free slots are a reserve: claim rounds fill them only with keys whose waiting jobs they take
 * whole, so that behind one key's flood another key's job finds a slot at once instead of waiting for one to free.
 */
public final class Capacity {
    private final int max;
    private final int reserved;
    private final Semaphore slots;

    public Capacity(int max, int reserved) {
        if (max < 1) {
            throw new IllegalStateException("queue.max.threads (QUEUE_MAX_THREADS) must be at least 1, not " + max);
        }
        if (reserved < 0 || reserved >= max) {
            throw new IllegalStateException("queue.reserved.slots (QUEUE_RESERVED_SLOTS) must be at least 0 and less"
                    + " than queue.max.threads (" + max + "), not " + reserved);
        }
        this.max = max;
        this.reserved = reserved;
        this.slots = new Semaphore(max);
    }

    /** The reserve when none is configured: one slot from 10 slots on, none below (it would be a tenth or more). */
    public static int defaultReserve(int max) {
        return max >= 10 ? 1 : 0;
    }

    public int max() {
        return max;
    }

    public int reserved() {
        return reserved;
    }

    public int free() {
        return slots.availablePermits();
    }

    /**
     * Takes up to {@code wanted} free slots, the reserve included, and returns how many were taken. The claims take
     * their slots one at a time, so that one never takes the reserve that the other has just left free.
     */
    synchronized int take(int wanted) {
        int taken = 0;
        while (taken < wanted && slots.tryAcquire()) {
            taken++;
        }
        return taken;
    }

    /** Takes up to {@code wanted} free slots but leaves the reserve free (a run-now request may still take it). */
    synchronized int takeLeavingReserve(int wanted) {
        return take(Math.max(0, Math.min(wanted, slots.availablePermits() - reserved)));
    }

    /** One slot, waiting up to {@code timeout} for it (a claim round holds the free slots for a moment). */
    boolean takeOne(java.time.Duration timeout) throws InterruptedException {
        return slots.tryAcquire(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    void release(int n) {
        if (n > 0) {
            slots.release(n);
        }
    }
}
