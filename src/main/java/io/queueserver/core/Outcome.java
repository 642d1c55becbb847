package io.queueserver.core;

/**
 * What one attempt produced: {@code returnCode} is the HTTP status or the exit code, {@code output} the captured
 * (capped) response body or process output, {@code error} why the attempt failed, {@code headers} the response
 * headers of an http attempt as a JSON object text (see {@link ResponseHeaders}), else null.
 */
public record Outcome(boolean success, Integer returnCode, String output, String error, String headers) {

    public Outcome(boolean success, Integer returnCode, String output, String error) {
        this(success, returnCode, output, error, null);
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

    public Outcome withHeaders(String headers) {
        return new Outcome(success, returnCode, output, error, headers);
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
