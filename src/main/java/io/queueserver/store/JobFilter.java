package io.queueserver.store;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JobState;

import java.util.Locale;
import java.util.Set;

/**
 * The filter of the job list: {@code state} (a list word; "waiting" includes scheduled jobs), {@code context}
 * (exact), {@code q} (text in the context or the type, or a job id; never the payload, where secrets are), {@code batch}
 * (the jobs of one batch or workflow), and the page: {@code limit} rows with ids below {@code cursor}, newest first.
 */
public record JobFilter(String state, Set<JobState> states, String context, String q, int limit, Long cursor,
                        Set<String> within, Long batch) {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    public static JobFilter of(String state, String context, String q, String limit, String cursor) {
        String word = blank(state) ? "all" : state.trim();
        Set<JobState> states = JobState.ofWord(word).orElseThrow(() -> new InvalidField("state",
                "must be one of all, waiting, working, done, failed, cancelled, scheduled, expired"));
        String ctx = blank(context) ? null : context;
        if (ctx != null && ctx.length() > 100) {
            throw new InvalidField("context", "must be at most 100 characters");
        }
        String text = blank(q) ? null : q.trim();
        if (text != null && text.length() > 200) {
            throw new InvalidField("q", "must be at most 200 characters");
        }
        return new JobFilter(word, states, ctx, text, number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT).intValue(),
                blank(cursor) ? null : number("cursor", cursor, 0, 1, Long.MAX_VALUE), Set.of(), null);
    }

    /** The newest jobs of a list word's states, for the original's API, whose lists go up to a thousand rows. */
    public static JobFilter newest(String word, Set<JobState> states, int limit) {
        return new JobFilter(word, states, null, null, limit, null, Set.of(), null);
    }

    /** Only jobs of these contexts (a token limited to them); all when empty. */
    public JobFilter within(Set<String> contexts) {
        return new JobFilter(state, states, context, q, limit, cursor, Set.copyOf(contexts), batch);
    }

    /** Only the jobs of batch {@code id} (a batch id as the query gives it; none when blank). */
    public JobFilter inBatch(String id) {
        return new JobFilter(state, states, context, q, limit, cursor, within,
                blank(id) ? null : number("batch", id, 0, 1, Long.MAX_VALUE));
    }

    /**
     * Whether no index serves this filter on its own: a search, contexts of a scoped token, or a state and a context
     * together. Only a state ({@code (state, id)}) or only a context ({@code (context, id)}) are served in page order;
     * a batch bounds the rows by the index {@code (batch_id, state)}, except for a search.
     */
    boolean scansRows() {
        if (batch != null) {
            return q != null;
        }
        boolean byState = !state.equals("all");
        boolean byContext = context != null || !within.isEmpty();
        return q != null || !within.isEmpty() || byState && byContext;
    }

    /** {@code q} as a job id, when it is one. */
    Long qId() {
        return q.matches("#?\\d{1,18}") ? Long.valueOf(q.replace("#", "")) : null;
    }

    /** {@code q} as a LIKE pattern matching anywhere, lower case, with the wildcards of the text escaped by '!'. */
    String likePattern() {
        return "%" + Texts.likeLiteral(q.toLowerCase(Locale.ROOT)) + "%";
    }

    static Long number(String name, String text, long fallback, long min, long max) {
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
