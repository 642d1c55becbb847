package io.queueserver.core;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Announces {@link JobSubmitted}, {@link JobStarted}, {@link JobProgressed} and {@link JobFinished} after their
 * transaction has committed, to synchronous ({@code @Observes}) and asynchronous ({@code @ObservesAsync})
 * observers: deployers add in-process callbacks without touching the core. An asynchronous delivery is a task on
 * the container's executor, so it is made only for event types that have an asynchronous observer.
 * <p>
 * A synchronous observer that throws ends the delivery of that event to the observers after it (CDI), so the
 * server's own observers carry {@code @Priority(JobEvents.SERVER)} and are called before any deployer's (whose
 * default priority is {@code APPLICATION + 500}). The exception is logged, never thrown to the caller: the event's
 * transaction has committed, so a job must not fail and a request must not be answered with an error for it.
 */
@ApplicationScoped
public class JobEvents {
    private static final Logger LOG = Logger.getLogger(JobEvents.class.getName());
    /** The priority of the server's own observers: {@code Interceptor.Priority.PLATFORM_BEFORE}. */
    public static final int SERVER = 0;

    @Inject
    Event<Object> events;

    @Inject
    BeanManager beans;

    private final Map<Class<?>, Boolean> observedAsync = new ConcurrentHashMap<>();

    public void fire(Object event) {
        try {
            events.fire(event);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an observer of " + event.getClass().getSimpleName() + " failed", e);
        }
        if (observedAsync.computeIfAbsent(event.getClass(),
                type -> beans.resolveObserverMethods(event).stream().anyMatch(ObserverMethod::isAsync))) {
            events.fireAsync(event);
        }
    }
}
