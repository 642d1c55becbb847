package io.queueserver.core;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Announces {@link JobSubmitted}, {@link JobStarted}, {@link JobProgressed} and {@link JobFinished} after their
 * transaction has committed, to synchronous ({@code @Observes}) and asynchronous ({@code @ObservesAsync})
 * observers: deployers add in-process callbacks without touching the core. An asynchronous delivery is a task on
 * the container's executor, so it is made only for event types that have an asynchronous observer.
 */
@ApplicationScoped
public class JobEvents {
    @Inject
    Event<Object> events;

    @Inject
    BeanManager beans;

    private final Map<Class<?>, Boolean> observedAsync = new ConcurrentHashMap<>();

    public void fire(Object event) {
        events.fire(event);
        if (observedAsync.computeIfAbsent(event.getClass(),
                type -> beans.resolveObserverMethods(event).stream().anyMatch(ObserverMethod::isAsync))) {
            events.fireAsync(event);
        }
    }
}
