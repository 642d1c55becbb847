package io.queueserver.security;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Problems;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Guards the job API and the dashboard: no request sent by a job or callback of a queue server
 * ({@link OutgoingMark}); no more tries from an address that sent too many bad tokens ({@link AuthFailures}, 429);
 * a token or a loopback client ({@link ApiAccess}) whose {@link Grant} allows the request; and no state-changing
 * request sent by a browser on behalf of another site ({@link CrossSiteGuard}). Refusals are problem+json and
 * are written to the audit log. {@code GET /} and Payara's /health, /metrics, /openapi stay open.
 */
@WebFilter(urlPatterns = {"/jobs", "/jobs/*", "/limits", "/limits/*", "/batches", "/batches/*", "/workflows",
        "/workflows/*", "/redrives", "/redrives/*", "/hosts", "/schedules", "/schedules/*", "/management",
        "/management/*"},
        asyncSupported = true)
public class ApiAccessFilter extends HttpFilter {
    private static final Logger LOG = Logger.getLogger(ApiAccessFilter.class.getName());
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    @ConfigProperty(name = "queue.api.tokens")
    Optional<String> tokensConfig;

    @Inject
    OwnEndpoints own;

    private ApiAccess access;
    private final AuthFailures failures = new AuthFailures();

    @Override
    public void init() {
        ApiTokens tokens = ApiTokens.parse(tokensConfig.orElse(""));
        access = new ApiAccess(tokens);
        if (tokens.isEmpty()) {
            LOG.warning("QUEUE_API_TOKENS is not set: the API serves only loopback clients");
        } else if (ApiTokens.values(tokensConfig.get()).stream().anyMatch(t -> t.length() < 16)) {
            LOG.warning("QUEUE_API_TOKENS holds a token shorter than 16 characters; use long random tokens");
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        own.listensOn(request.getLocalPort());
        String client = request.getRemoteAddr();
        if (request.getHeader(OutgoingMark.HEADER) != null) {
            refuse(request, response, 403, OutgoingMark.HEADER, "requests sent by the jobs and callbacks of a queue"
                    + " server may not use its API");
            return;
        }
        long locked = failures.lockedForMillis(client);
        if (locked > 0) {
            response.setHeader("Retry-After", Long.toString((locked + 999) / 1000));
            refuse(request, response, 429, "Authorization", "too many requests with invalid API tokens from this"
                    + " address; try again in " + (locked + 999) / 1000 + " s");
            return;
        }
        String authorization = request.getHeader("Authorization");
        ApiAccess.Decision decision = access.decide(client, request.getHeader("Host"), authorization);
        if (decision.refusal() != null) {
            if (authorization != null) {
                failures.failed(client);
            }
            boolean dashboard = path(request).startsWith("/management");
            response.setHeader("WWW-Authenticate", dashboard ? "Basic realm=\"Queue Server\", charset=\"UTF-8\""
                    : "Bearer realm=\"Queue Server\"");
            refuse(request, response, 401, "Authorization", decision.refusal());
            return;
        }
        if (authorization != null) {
            failures.succeeded(client);
        }
        Grant grant = decision.grant();
        if (!grant.allows(request.getMethod(), path(request))) {
            refuse(request, response, 403, "Authorization", "this API token has scope '" + grant.scope().label()
                    + "', which does not allow " + request.getMethod() + " " + path(request));
            return;
        }
        if (!SAFE_METHODS.contains(request.getMethod())) {
            try {
                CrossSiteGuard.refuse(request.getHeader("Sec-Fetch-Site"), request.getHeader("Origin"),
                        request.getHeader("Host"));
            } catch (InvalidField crossSite) {
                refuse(request, response, crossSite.status(), crossSite.field(), crossSite.getMessage());
                return;
            }
        }
        RequestGrant.enter(grant);
        try {
            chain.doFilter(request, response);
        } finally {
            RequestGrant.leave();
        }
    }

    private static String path(HttpServletRequest request) {
        return request.getRequestURI().substring(request.getContextPath().length());
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, int status, String field,
                               String detail) throws IOException {
        Audit.denied(status, request.getRemoteAddr(), request.getMethod(), request.getRequestURI(), detail);
        byte[] bytes = Problems.body(status, field, detail).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(Problems.MEDIA_TYPE);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
