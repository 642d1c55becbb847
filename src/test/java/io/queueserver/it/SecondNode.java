package io.queueserver.it;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

/**
 * A second node beside the deployed server, on the same database, for the tests that need two nodes (a duplicate
 * submitted to both, a waiter on one for a job run on the other): started by the first test of a class that asks,
 * and stopped after the class ({@link #close}), since a node that stays would run the jobs of later classes before
 * it knew their rules. It allows only 3 waiting requests of at most 20 s, which WaitIT checks.
 */
final class SecondNode {
    private static ClusterNodes nodes;
    private static ClusterNodes.Node node;

    private SecondNode() {
    }

    static synchronized ClusterNodes.Node node() {
        if (node == null) {
            nodes = ClusterNodes.standalone(System.getProperty("it.db.url"), Map.of("QUEUE_WAIT_MAX_WAITERS", "3",
                    "QUEUE_WAIT_MAX_SECONDS", "20"), "second");
            try {
                node = nodes.start(0);
            } catch (java.io.IOException e) {
                throw new AssertionError("the second node did not start: " + e, e);
            }
            nodes.awaitUp(node, Duration.ofMinutes(4));
        }
        return node;
    }

    static synchronized void close() {
        if (nodes != null) {
            nodes.close();
            nodes = null;
            node = null;
        }
    }

    static Api api() {
        try {
            return new Api(new URL(node().base().toString()));
        } catch (java.net.MalformedURLException e) {
            throw new AssertionError(e);
        }
    }
}
