package io.queueserver.core;

/**
 * What one attempt produced: {@code returnCode} is the HTTP status or the exit code, {@code output} the captured
 * (capped) response body or process output, {@code error} why the attempt failed, {@code headers} the response
 * headers of an http attempt as a JSON object text (see {@link ResponseHeaders}), else null; {@code next} what the
 * target asked for (retry, fail at once, snooze), as far as the job's policy allows.
 */
public record Outcome(boolean success, Integer returnCode, String output, String error, String headers, Next next) {

    /** What should follow the attempt, as its worker read the answer. */
    public enum Kind {
        /** done on success; else retried while attempts (and the retry duration) last, with the job's backoff */
        DEFAULT,
        /** retried while attempts last; after {@code delayMillis} when it is positive, else with the backoff */
        RETRY,
        /** failed for good, whatever attempts are left */
        FAIL,
        /** done for now: runs again after {@code delayMillis} without using an attempt */
        SNOOZE,
        /** not started (its target host's circuit breaker is open): runs after {@code delayMillis}, no attempt used */
        PAUSE
    }

    /** {@code why} says in words what the answer asked for, e.g. "Retry-After: 30". */
    public record Next(Kind kind, long delayMillis, String why) {
        public static final Next DEFAULT = new Next(Kind.DEFAULT, 0, null);
    }

    public Outcome {
        next = next == null ? Next.DEFAULT : next;
    }

    public Outcome(boolean success, Integer returnCode, String output, String error, String headers) {
        this(success, returnCode, output, error, headers, Next.DEFAULT);
    }

    public Outcome(boolean success, Integer returnCode, String output, String error) {
        this(success, returnCode, output, error, null);
    }

    public Outcome with(Next advice) {
        return new Outcome(success, returnCode, output, error, headers, advice);
    }

    public static Outcome succeeded(Integer returnCode, String output) {
        return new Outcome(true, returnCode, output, null);
    }

    public static Outcome failed(Integer returnCode, String output, String error) {
        return new Outcome(false, returnCode, output, error);
    }

    public static Outcome failed(String error) {
        return new Outcome(false, null, null, error);
    }

    /** An attempt that was not started: the job waits {@code delayMillis} and gets its attempt back. */
    public static Outcome paused(long delayMillis, String why) {
        return new Outcome(false, null, null, why, null, new Next(Kind.PAUSE, delayMillis, why));
    }

    public Outcome withHeaders(String headers) {
        return new Outcome(success, returnCode, output, error, headers, next);
    }

    /** A worker's future that completed exceptionally. */
    public static Outcome of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return failed("cancelled");
        }
        String message = cause.getMessage();
        return failed(cause.getClass().getSimpleName() + (message != null ? ": " + message : ""));
    }
}
