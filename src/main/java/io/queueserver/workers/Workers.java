package io.queueserver.workers;

import io.queueserver.core.Worker;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** All deployed {@link Worker}s by their type: the built-in http and exec workers and any custom ones. */
@ApplicationScoped
public class Workers {
    @Inject
    @Any
    Instance<Worker> deployed;

    private final Map<String, Worker> byType = new TreeMap<>();

    protected Workers() {
    }

    /** For tests outside the container. */
    public Workers(Collection<Worker> workers) {
        workers.forEach(this::register);
    }

    @PostConstruct
    void collect() {
        deployed.forEach(this::register);
    }

    private void register(Worker worker) {
        Worker previous = byType.putIfAbsent(worker.type(), worker);
        if (previous != null && previous != worker) {
            throw new IllegalStateException("two workers handle the type '" + worker.type() + "': "
                    + previous.getClass().getName() + " and " + worker.getClass().getName());
        }
    }

    public Optional<Worker> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    public Collection<String> types() {
        return byType.keySet();
    }
}
