package io.queueserver.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/**
 * Announces {@link JobSubmitted}, {@link JobStarted}, {@link JobProgressed} and {@link JobFinished} after their
 * transaction has committed, to synchronous ({@code @Observes}) and asynchronous ({@code @ObservesAsync})
 * observers: deployers add in-process callbacks without touching the core.
 */
@ApplicationScoped
public class JobEvents {
    @Inject
    Event<Object> events;

    public void fire(Object event) {
        events.fire(event);
        events.fireAsync(event);
    }
}
