package io.queueserver.security;

import jakarta.servlet.http.HttpServletRequest;

import java.util.logging.Logger;

/**
 * The audit trail (logger {@code io.queueserver.audit}): every refused request, every exec command started, and
 * every redrive started, cancelled or done.
 * Lines never carry secrets: no tokens, header values, environment values or command arguments.
 */
public final class Audit {
    private static final Logger LOG = Logger.getLogger("io.queueserver.audit");

    private Audit() {
    }

    public static void denied(int status, String client, String method, String path, String reason) {
        LOG.warning(() -> "denied " + status + " " + clean(method) + " " + clean(path) + " from " + clean(client)
                + ": " + clean(reason));
    }

    /** A request the API answered with a refusal: written when it is 401, 403 or 429 (who may do what). */
    public static void refusedRequest(int status, HttpServletRequest request, String field, String detail) {
        if (status == 401 || status == 403 || status == 429) {
            denied(status, request.getRemoteAddr(), request.getMethod(), request.getRequestURI(),
                    (field == null ? "" : field + " ") + detail);
        }
    }

    /** An operator started a redrive of failed jobs (the filter and override's field names, never its values). */
    public static void redriveStarted(long id, String by, long matched, String filter, String rate, String override) {
        LOG.info(() -> "redrive " + id + " started by " + clean(by) + ": " + matched + " failed jobs matching "
                + clean(filter) + " at " + clean(rate) + (override == null ? "" : ", overriding " + clean(override)));
    }

    public static void redriveEnded(long id, String how) {
        LOG.info(() -> "redrive " + id + " " + clean(how));
    }

    public static void execStarted(long jobId, int attempt, String executable, int arguments, boolean shell, long pid) {
        LOG.info(() -> "exec started: job " + jobId + " attempt " + attempt + " runs " + clean(executable)
                + (shell ? " (through /bin/sh -c)" : "") + " with " + arguments + " arguments, pid " + pid);
    }

    public static void execRefused(long jobId, String reason) {
        LOG.warning(() -> "exec refused at run time: job " + jobId + ": " + clean(reason));
    }

    /** No line breaks from request data in the log (no forged log lines). */
    private static String clean(String text) {
        if (text == null) {
            return "-";
        }
        String oneLine = text.replaceAll("[\\p{Cntrl}]", "?");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
