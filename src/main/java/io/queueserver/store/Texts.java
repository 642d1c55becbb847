package io.queueserver.store;

/** The one place that cuts texts to what their columns hold, and that quotes them for LIKE patterns. */
public final class Texts {
    public static final int MAX_OUTPUT_CHARS = 1 << 20;
    public static final int MAX_ERROR_CHARS = 2000;

    private Texts() {
    }

    public static String output(String text) {
        return cut(text, MAX_OUTPUT_CHARS);
    }

    public static String error(String text) {
        return cut(text, MAX_ERROR_CHARS);
    }

    /** The text as a LIKE pattern matching only itself, with {@code ESCAPE '!'} (MySQL reads a backslash itself). */
    static String likeLiteral(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
