package io.queueserver.api;

import io.queueserver.core.InvalidField;

/**
 * The {@code wait} preference of a {@code Prefer} header (RFC 7240), e.g. {@code Prefer: respond-async, wait=30}:
 * the seconds a submit's answer may wait for the job's result, at most the server's maximum.
 */
final class PreferWait {
    private PreferWait() {
    }

    /** The seconds to wait, capped at {@code max}; null when the header asks for none. */
    static Integer seconds(String prefer, int max) {
        if (prefer == null) {
            return null;
        }
        for (String preference : prefer.split("[,;]")) {
            String p = preference.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("wait")) {
                String value = p.substring(eq + 1).trim().replace("\"", "");
                if (!value.matches("\\d{1,9}")) {
                    throw new InvalidField("Prefer", "wait must be a number of seconds, e.g. 'Prefer: wait=30'");
                }
                return Math.min(Integer.parseInt(value), max);
            }
        }
        return null;
    }
}
