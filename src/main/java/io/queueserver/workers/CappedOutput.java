package io.queueserver.workers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Keeps the first {@code cap} bytes written, counts and drops the rest; readable at any time. */
final class CappedOutput {
    private final int cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    CappedOutput(int cap) {
        this.cap = cap;
    }

    synchronized void write(byte[] data, int length) {
        total += length;
        int room = Math.min(length, cap - kept.size());
        if (room > 0) {
            kept.write(data, 0, room);
        }
    }

    synchronized String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        long dropped = total - kept.size();
        return dropped > 0 ? text + "\n[output truncated: " + dropped + " more bytes dropped]" : text;
    }
}
