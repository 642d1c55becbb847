package io.queueserver.security;

import java.util.Locale;
import java.util.Set;

/**
 * What an API token may do. {@code read}: look (GET/HEAD, and the original's read-only POSTs {@code /jobs/get},
 * {@code /jobs/get/summary}); {@code submit}: look and submit ({@code POST /jobs}, {@code POST /jobs/add});
 * {@code admin}: everything (cancel, retry, delete, run, progress). {@code contexts}, when not empty, are the only
 * contexts a read or submit token may submit to and see jobs of; admin tokens are never limited to contexts.
 */
public record Grant(Scope scope, Set<String> contexts) {
    public enum Scope {
        READ, SUBMIT, ADMIN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Set<String> READ_POSTS = Set.of("/jobs/get", "/jobs/get/summary");
    private static final Set<String> SUBMIT_POSTS = Set.of("/jobs", "/jobs/add", "/batches", "/workflows");
    private static final java.util.regex.Pattern SUBMIT_TO_BATCH = java.util.regex.Pattern.compile(
            "/batches/\\d+/(jobs|close)");

    public static final Grant ADMIN = new Grant(Scope.ADMIN, Set.of());

    public Grant {
        contexts = Set.copyOf(contexts);
        if (scope == Scope.ADMIN && !contexts.isEmpty()) {
            throw new IllegalArgumentException("an admin token cannot be limited to contexts");
        }
    }

    public boolean allows(String method, String path) {
        if (scope == Scope.ADMIN) {
            return true;
        }
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (safe && !p.startsWith("/jobs/delete/") || method.equals("POST") && READ_POSTS.contains(p)) {
            return true;
        }
        return scope == Scope.SUBMIT && method.equals("POST")
                && (SUBMIT_POSTS.contains(p) || SUBMIT_TO_BATCH.matcher(p).matches());
    }

    public boolean maySubmitTo(String context) {
        return maySee(context);
    }

    public boolean maySee(String context) {
        return contexts.isEmpty() || contexts.contains(context);
    }
}
