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
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Guards the job API and the dashboard: a token or a loopback client ({@link ApiAccess}), and no state-changing
 * request sent by a browser on behalf of another site ({@link CrossSiteGuard}). Refusals are problem+json and
 * are written to the audit log. {@code GET /} and Payara's /health, /metrics, /openapi stay open.
 */
@WebFilter(urlPatterns = {"/jobs", "/jobs/*", "/management", "/management/*"}, asyncSupported = true)
public class ApiAccessFilter extends HttpFilter {
    private static final Logger LOG = Logger.getLogger(ApiAccessFilter.class.getName());
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    @ConfigProperty(name = "queue.api.tokens")
    Optional<String> tokensConfig;

    private ApiAccess access;

    @Override
    public void init() {
        ApiTokens tokens = ApiTokens.parse(tokensConfig.orElse(""));
        access = new ApiAccess(tokens);
        if (tokens.isEmpty()) {
            LOG.warning("QUEUE_API_TOKENS is not set: the API serves only loopback clients");
        } else if (Arrays.stream(tokensConfig.get().split(",")).map(String::trim)
                .anyMatch(t -> !t.isEmpty() && t.length() < 16)) {
            LOG.warning("QUEUE_API_TOKENS holds a token shorter than 16 characters; use long random tokens");
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Optional<String> refused = access.refusal(request.getRemoteAddr(), request.getHeader("Host"),
                request.getHeader("Authorization"));
        if (refused.isPresent()) {
            boolean dashboard = request.getRequestURI().startsWith("/management");
            response.setHeader("WWW-Authenticate", dashboard ? "Basic realm=\"Queue Server\", charset=\"UTF-8\""
                    : "Bearer realm=\"Queue Server\"");
            refuse(request, response, 401, "Authorization", refused.get());
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
        chain.doFilter(request, response);
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
