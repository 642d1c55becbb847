package io.queueserver.it.extension;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JsonFields;
import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.core.Worker;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * A custom job type deployed next to the server, as the README documents: {"type": "shout", "text": "hi"}
 * succeeds with the text in upper case; {"type": "shout", "text": ""} fails.
 */
@ApplicationScoped
public class ShoutWorker implements Worker {

    @Override
    public String type() {
        return "shout";
    }

    @Override
    public void validate(JsonFields command) {
        if (command.string("text", null, 1000) == null) {
            throw new InvalidField(command.field("text"), "is required");
        }
    }

    @Override
    public CompletableFuture<Outcome> run(JobRun run) {
        String text = run.command().getString("text");
        return CompletableFuture.supplyAsync(() -> text.isEmpty()
                ? Outcome.failed(1, "", "nothing to shout")
                : Outcome.succeeded(0, text.toUpperCase(Locale.ROOT) + " (job " + run.jobId() + ")"));
    }
}
