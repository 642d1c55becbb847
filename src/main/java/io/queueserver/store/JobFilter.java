package io.queueserver.store;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobState;

import java.util.Locale;
import java.util.Set;

/**
 * The filter of the job list: {@code state} (a list word; "waiting" includes scheduled jobs), {@code context}
 * (exact), {@code q} (text in the context or the type, or a job id; never the payload, where secrets are), and the page:
 * {@code limit} rows with ids below {@code cursor}, newest first.
 */
public record JobFilter(String state, Set<JobState> states, String context, String q, int limit, Long cursor,
                        Set<String> within) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    public static JobFilter of(String state, String context, String q, String limit, String cursor) {
        String word = blank(state) ? "all" : state.trim();
        Set<JobState> states = JobState.ofWord(word).orElseThrow(() -> new InvalidField("state",
                "must be one of all, waiting, working, done, failed, cancelled, scheduled"));
        String ctx = blank(context) ? null : context;
        if (ctx != null && ctx.length() > 100) {
            throw new InvalidField("context", "must be at most 100 characters");
        }
        String text = blank(q) ? null : q.trim();
        if (text != null && text.length() > 200) {
            throw new InvalidField("q", "must be at most 200 characters");
        }
        return new JobFilter(word, states, ctx, text, number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT).intValue(),
                blank(cursor) ? null : number("cursor", cursor, 0, 1, Long.MAX_VALUE), Set.of());
    }

    /** Only jobs of these contexts (a token limited to them); all when empty. */
    public JobFilter within(Set<String> contexts) {
        return new JobFilter(state, states, context, q, limit, cursor, Set.copyOf(contexts));
    }

    /** {@code q} as a job id, when it is one. */
    Long qId() {
        return q.matches("#?\\d{1,18}") ? Long.valueOf(q.replace("#", "")) : null;
    }

    /** {@code q} as a LIKE pattern matching anywhere, lower case, with the wildcards of the text escaped by '!'. */
    String likePattern() {
        return "%" + q.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
    }

    private static Long number(String name, String text, long fallback, long min, long max) {
        if (blank(text)) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new InvalidField(name, "must be an integer");
        }
        if (n < min || n > max) {
            throw new InvalidField(name, "must be between " + min + " and " + max);
        }
        return n;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
