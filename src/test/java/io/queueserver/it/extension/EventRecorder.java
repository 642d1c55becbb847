package io.queueserver.it.extension;

import io.queueserver.core.JobFinished;
import io.queueserver.core.JobProgressed;
import io.queueserver.core.JobStarted;
import io.queueserver.core.JobSubmitted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-process observer of the job events, synchronous and asynchronous, as a deployer would add one. */
@ApplicationScoped
public class EventRecorder {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    void submitted(@Observes JobSubmitted e) {
        SEEN.add("submitted " + e.id() + " " + e.type());
    }

    void started(@Observes JobStarted e) {
        SEEN.add("started " + e.id() + " attempt " + e.attempt());
    }

    void progressed(@Observes JobProgressed e) {
        SEEN.add("progressed " + e.id() + " " + e.percent());
    }

    void finished(@Observes JobFinished e) {
        SEEN.add("finished " + e.id() + " " + e.state().label());
    }

    void finishedAsync(@ObservesAsync JobFinished e) {
        SEEN.add("async finished " + e.id() + " " + e.state().label());
    }
}
