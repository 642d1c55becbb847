package io.queueserver.engine;

import io.queueserver.core.DatabaseBackoff;
import io.queueserver.core.JobOverride;
import io.queueserver.core.JsonFields;
import io.queueserver.store.Redrives;
import io.queueserver.workers.HttpCommand;
import jakarta.json.JsonObject;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Works through the running redrives ({@link Redrives}) on every node: each round gives each of them one batch, as
 * many jobs as its rate has tokens for, and wakes the claims when jobs went back to the queue. Rounds come every
 * {@value #TICK_MILLIS} ms while a redrive runs; with none running only every {@value #IDLE_ROUNDS}th round asks
 * the database.
 */
final class Redriver {
    static final long TICK_MILLIS = 100;
    static final int IDLE_ROUNDS = 10;

    private final Redrives store;
    private final Runnable redriven;
    private final LongConsumer finished;
    private final DatabaseBackoff backoff;
    private int idle;

    Redriver(Redrives store, Runnable redriven, LongConsumer finished, DatabaseBackoff backoff) {
        this.store = store;
        this.redriven = redriven;
        this.finished = finished;
        this.backoff = backoff;
    }

    void round() {
        if (idle > 0) {
            idle--;
            return;
        }
        if (backoff.waiting()) {
            return;
        }
        try {
            List<Long> running = store.running();
            boolean moved = false;
            for (long id : running) {
                Redrives.Batch batch = store.step(id, Redriver::rewrite);
                moved |= batch.redriven() > 0;
                if (batch.finished()) {
                    finished.accept(id);
                }
            }
            backoff.succeeded();
            idle = running.isEmpty() ? IDLE_ROUNDS - 1 : 0;
            if (moved) {
                redriven.run();
            }
        } catch (Exception e) {
            backoff.failed(e);
        }
    }

    /** A redriven job with its redrive's override, refused (skipped) when the result is not a valid http command. */
    static JsonObject rewrite(JsonObject override, JsonObject job) {
        JsonObject rewritten = new JobOverride(override).applyTo(job);
        HttpCommand.parse(new JsonFields(rewritten.getJsonObject("command"), "command"), 1);
        return rewritten;
    }
}
