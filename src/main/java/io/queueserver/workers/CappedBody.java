package io.queueserver.workers;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Keeps the first {@code cap} bytes of a body, counts and drops the rest, and can be cut off at any time
 * (deadline, cancel) with what arrived so far still readable.
 */
final class CappedBody implements HttpResponse.BodySubscriber<String> {
    private final int cap;
    private final Consumer<String> listener;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private long total;
    private volatile Flow.Subscription subscription;
    private volatile boolean cut;

    CappedBody(int cap, Consumer<String> listener) {
        this.cap = cap;
        this.listener = listener;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cut) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            int length = buffer.remaining();
            total += length;
            int room = Math.min(length, cap - kept.size());
            if (room > 0) {
                byte[] chunk = new byte[room];
                buffer.get(chunk);
                kept.write(chunk, 0, room);
                listener.accept(new String(chunk, StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        done.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        done.complete(text());
    }

    @Override
    public CompletionStage<String> getBody() {
        return done;
    }

    /** Stops reading; the connection is closed. A body already complete is left alone, and so is its connection. */
    void cut() {
        if (done.isDone()) {
            return; // the client would build an exception, with its stack trace, for each finished job
        }
        cut = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    synchronized String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        long dropped = total - kept.size();
        return dropped > 0 ? text + "\n[output truncated: " + dropped + " more bytes dropped]" : text;
    }
}
