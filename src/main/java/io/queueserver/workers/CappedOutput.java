package io.queueserver.workers;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Keeps the first {@code cap} bytes written, counts and drops the rest; readable at any time. What is kept is also
 * handed to a listener as it arrives (run-now streaming).
 */
final class CappedOutput {
    private final int cap;
    private final Consumer<String> listener;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    CappedOutput(int cap, Consumer<String> listener) {
        this.cap = cap;
        this.listener = listener;
    }

    synchronized void write(byte[] data, int length) {
        total += length;
        int room = Math.min(length, cap - kept.size());
        if (room > 0) {
            kept.write(data, 0, room);
            try {
                listener.accept(new String(data, 0, room, StandardCharsets.UTF_8));
            } catch (RuntimeException gone) {
                // a streaming client that went away does not stop the command
            }
        }
    }

    synchronized String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        long dropped = total - kept.size();
        return dropped > 0 ? text + "\n[output truncated: " + dropped + " more bytes dropped]" : text;
    }
}
