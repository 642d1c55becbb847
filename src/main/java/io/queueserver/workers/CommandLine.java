package io.queueserver.workers;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a compat {@code cmd} string into argv without a shell, with the quoting rules of {@code sh}: blanks
 * separate words, '...' is literal, "..." keeps blanks (backslash escapes {@code " \\ $ `}), a backslash outside
 * quotes escapes the next character. Anything a shell would expand or interpret ({@code | & ; < > ( ) $ ` * ? [ ]},
 * {@code ~} or {@code #} starting a word, newlines) is refused rather than passed on literally.
 */
public final class CommandLine {
    private static final String SPECIAL = "|&;<>()$`*?[]\n\r";

    private CommandLine() {
    }

    /** Thrown with a message that names what was refused. */
    public static final class Unsplittable extends Exception {
        Unsplittable(String message) {
            super(message, null, false, false);
        }
    }

    public static List<String> split(String cmd) throws Unsplittable {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                continue;
            }
            if (!inWord && (c == '~' || c == '#')) {
                throw special(c);
            }
            inWord = true;
            if (c == '\'') {
                int end = cmd.indexOf('\'', i + 1);
                if (end < 0) {
                    throw new Unsplittable("has an unterminated ' quote");
                }
                word.append(cmd, i + 1, end);
                i = end;
            } else if (c == '"') {
                i = doubleQuoted(cmd, i + 1, word);
            } else if (c == '\\') {
                if (i + 1 >= cmd.length()) {
                    throw new Unsplittable("ends with a backslash");
                }
                char next = cmd.charAt(++i);
                if (next == '\n' || next == '\r') {
                    throw special(next);
                }
                word.append(next);
            } else if (SPECIAL.indexOf(c) >= 0) {
                throw special(c);
            } else {
                word.append(c);
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (words.isEmpty()) {
            throw new Unsplittable("is empty");
        }
        return words;
    }

    /** The first word, read leniently (for the allow-list check in shell mode). */
    public static String firstWord(String cmd) {
        String trimmed = cmd.strip();
        int end = 0;
        while (end < trimmed.length() && " \t\n;|&<>()".indexOf(trimmed.charAt(end)) < 0) {
            end++;
        }
        return trimmed.substring(0, end);
    }

    private static int doubleQuoted(String cmd, int from, StringBuilder word) throws Unsplittable {
        for (int i = from; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '$' || c == '`') {
                throw special(c);
            }
            if (c == '\\' && i + 1 < cmd.length() && "\"\\$`".indexOf(cmd.charAt(i + 1)) >= 0) {
                word.append(cmd.charAt(++i));
            } else {
                word.append(c);
            }
        }
        throw new Unsplittable("has an unterminated \" quote");
    }

    private static Unsplittable special(char c) {
        String shown = c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.valueOf(c);
        return new Unsplittable("contains shell syntax ('" + shown + "'), but commands run without a shell unless the"
                + " server sets QUEUE_EXEC_SHELL=true; pass the arguments as an argv array instead");
    }
}
