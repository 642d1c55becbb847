package io.queueserver.engine;

import java.util.concurrent.Semaphore;

/** The node's job slots: {@code max_threads} jobs run at once on this node, exactly (run-now included). */
public final class Capacity {
    private final int max;
    private final Semaphore slots;

    public Capacity(int max) {
        if (max < 1) {
            throw new IllegalStateException("queue.max.threads (QUEUE_MAX_THREADS) must be at least 1, not " + max);
        }
        this.max = max;
        this.slots = new Semaphore(max);
    }

    public int max() {
        return max;
    }

    public int free() {
        return slots.availablePermits();
    }

    /** Takes up to {@code wanted} free slots and returns how many were taken. */
    int take(int wanted) {
        int taken = 0;
        while (taken < wanted && slots.tryAcquire()) {
            taken++;
        }
        return taken;
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
