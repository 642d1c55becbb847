package io.queueserver.workers;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CappedBodyTest {
    private static final class Subscription implements Flow.Subscription {
        final AtomicInteger cancels = new AtomicInteger();

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            cancels.incrementAndGet();
        }
    }

    private final Subscription subscription = new Subscription();
    private final CappedBody body = new CappedBody(4, text -> { });

    @Test
    void cuttingABodyInFlightCancelsItAndKeepsWhatArrived() {
        body.onSubscribe(subscription);
        body.onNext(List.of(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.UTF_8))));
        body.cut();
        assertEquals(1, subscription.cancels.get());
        assertEquals("abcd\n[output truncated: 2 more bytes dropped]", body.text());
    }

    /** The client answers a cancel after the end with an exception per job; the connection is reused either way. */
    @Test
    void cuttingAFinishedBodyLeavesItsSubscriptionAlone() {
        body.onSubscribe(subscription);
        body.onNext(List.of(ByteBuffer.wrap("ok".getBytes(StandardCharsets.UTF_8))));
        body.onComplete();
        body.cut();
        assertEquals(0, subscription.cancels.get());
        assertEquals("ok", body.getBody().toCompletableFuture().join());
    }
}
