package io.queueserver.ops;

import jakarta.inject.Inject;
import io.queueserver.engine.Engine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the dispatcher's loop keeps ticking (a stuck scheduler would leave jobs waiting forever). */
@Liveness
@ApplicationScoped
public class DispatcherLiveness implements HealthCheck {
    static final long STALE_MILLIS = 60_000;

    @Inject
    Engine engine;

    @Override
    public HealthCheckResponse call() {
        long sinceTick = System.currentTimeMillis() - engine.lastTickMillis();
        return HealthCheckResponse.named("queue-dispatcher")
                .status(sinceTick < STALE_MILLIS)
                .withData("millis-since-tick", sinceTick)
                .withData("running", engine.running())
                .build();
    }
}
