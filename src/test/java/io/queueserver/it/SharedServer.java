package io.queueserver.it;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

import java.net.URL;
import java.time.Duration;

/**
 * One Payara Micro running the built WAR for every {@link DeployedServerTest} class of a failsafe execution, configured
 * by that execution (its database, its settings). The first class starts it and it stops when the run ends: a boot
 * costs about 12 s on two cores, and these classes test one default server each, which never needed a fresh one.
 */
final class SharedServer implements TestInstancePostProcessor {
    private record Running(ClusterNodes nodes, URL base) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            nodes.close();
        }
    }

    @Override
    public void postProcessTestInstance(Object instance, ExtensionContext context) {
        Running server = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(SharedServer.class, key -> start(), Running.class);
        ((DeployedServerTest) instance).base = server.base();
    }

    private static Running start() {
        ClusterNodes nodes = ClusterNodes.asConfigured("shared-" + ProcessHandle.current().pid());
        try {
            ClusterNodes.Node node = nodes.start(0);
            nodes.awaitUp(node, Duration.ofMinutes(5));
            return new Running(nodes, node.base().toURL());
        } catch (java.io.IOException | RuntimeException | AssertionError e) {
            nodes.close();
            throw new IllegalStateException("the shared server did not start", e);
        }
    }
}
