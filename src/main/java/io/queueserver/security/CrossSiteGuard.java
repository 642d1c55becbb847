package io.queueserver.security;

import io.queueserver.core.InvalidField;

import java.net.URI;

/**
 * Refuses state-changing GETs (the original's {@code /jobs/delete/{id}}) when a browser sends them on behalf of
 * another site, so a web page cannot delete jobs through a visitor's browser. Non-browser clients send neither
 * {@code Sec-Fetch-Site} nor {@code Origin} and are served as before.
 */
public final class CrossSiteGuard {
    private CrossSiteGuard() {
    }

    public static void refuse(String fetchSite, String origin, String host) {
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            throw new InvalidField(403, "Sec-Fetch-Site", "cross-site requests may not change jobs");
        }
        if (origin != null && !origin.equals("null") && host != null && !host.equalsIgnoreCase(authority(origin))) {
            throw new InvalidField(403, "Origin", "cross-site requests may not change jobs");
        }
        if ("null".equals(origin)) {
            throw new InvalidField(403, "Origin", "requests from opaque origins may not change jobs");
        }
    }

    private static String authority(String origin) {
        try {
            return URI.create(origin).getRawAuthority();
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
