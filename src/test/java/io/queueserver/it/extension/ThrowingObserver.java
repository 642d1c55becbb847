package io.queueserver.it.extension;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobSubmitted;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deployer's observer that throws on every event of the jobs of context {@value #CONTEXT} (other jobs are left
 * alone). It asks to be called first, before any other observer, which is the worst case for the server.
 */
@ApplicationScoped
public class ThrowingObserver {
    public static final String CONTEXT = "throwing-observer";
    static final AtomicInteger THROWN = new AtomicInteger();

    void submitted(@Observes @Priority(1) JobSubmitted e) {
        refuse(e.context(), "submitted " + e.id());
    }

    void started(@Observes @Priority(1) JobStarted e) {
        refuse(e.context(), "started " + e.id());
    }

    void finished(@Observes @Priority(1) JobFinished e) {
        refuse(e.context(), "finished " + e.id());
    }

    private static void refuse(String context, String event) {
        if (CONTEXT.equals(context)) {
            THROWN.incrementAndGet();
            throw new IllegalStateException("this observer refuses " + event);
        }
    }
}
