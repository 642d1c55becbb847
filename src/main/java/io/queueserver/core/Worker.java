package io.queueserver.core;


import java.util.concurrent.CompletableFuture;

/**
 * A kind of job. Deployers add job kinds by deploying a CDI bean (e.g. {@code @ApplicationScoped}) that implements
 * this interface; jobs whose {@code command.type} equals {@link #type()} are then accepted and run by it.
 *
 * <p>{@link #run} must not block the calling thread for long: return a future that completes when the work is done
 * (run blocking work on a managed executor). Completing the future exceptionally counts as a failure of the attempt;
 * when the job is cancelled or its deadline passes the server cancels the future, and the worker must stop its work.
 */
public interface Worker {

    /** The {@code command.type} handled by this worker, e.g. {@code "http"}. */
    String type();

    /**
     * Checks a command of this type when the job is submitted (and callbacks of this type). Throws
     * {@link InvalidField} naming the offending field with {@link JsonFields#field(String)}.
     */
    void validate(JsonFields command);

    /** Runs one attempt of a job; {@link JobRun#command()} already has its placeholders replaced. */
    CompletableFuture<Outcome> run(JobRun run);
}
