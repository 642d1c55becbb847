package io.queueserver.console;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobState;
import io.queueserver.core.JobSubmitted;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleEventsTest {
    /** A relay whose reach is set by the test, keeping what it was given to publish. */
    private static final class Relay extends ClusterRelay {
        final List<String> published = new CopyOnWriteArrayList<>();
        volatile boolean browsers;

        @Override
        boolean reachesBrowsers() {
            return browsers;
        }

        @Override
        void publish(String json) {
            published.add(json);
        }
    }

    private final Relay relay = new Relay();
    private final ConsoleEvents events = new ConsoleEvents();

    ConsoleEventsTest() {
        events.relay = relay;
    }

    private void fireOneJob() {
        events.onSubmitted(new JobSubmitted(7, "mail", "http"));
        events.onStarted(new JobStarted(7, 1, "mail", "node-a"));
        events.onFinished(new JobFinished(7, 1, "mail", JobState.DONE, 200, null));
    }

    @Test
    void nothingIsBuiltWhileNoBrowserCanReceiveIt() {
        fireOneJob();
        assertEquals(List.of(), relay.published);
    }

    @Test
    void aBrowserGetsEveryStepOfTheJob() {
        relay.browsers = true;
        fireOneJob();
        assertEquals(3, relay.published.size(), relay.published.toString());
        assertTrue(relay.published.get(2).contains("\"kind\":\"finished\""), relay.published.get(2));
        assertTrue(relay.published.get(2).contains("\"return_code\":200"), relay.published.get(2));
    }
}
