package io.queueserver.api;

import io.queueserver.core.JobSpec;
import io.queueserver.core.Problems;

import io.queueserver.core.Json;
import io.queueserver.security.Audit;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code POST /jobs/add}, the PHP original's submit: same body (JSON or form), same answer
 * {@code {"status":"OK","job_id":"123"}}. A plain servlet rather than a JAX-RS resource because it is the
 * hottest request of the API, and JAX-RS's per-request machinery (routing, request scope, providers, tracing
 * listeners) cost more CPU than storing the job. Refusals are problem+json like everywhere else.
 */
@WebServlet(urlPatterns = "/jobs/add", asyncSupported = true)
public class AddJobServlet extends HttpServlet {
    @Inject
    JobSpecParser parser;

    @Inject
    Submissions submissions;

    @Inject
    @ConfigProperty(name = "queue.body.max.bytes", defaultValue = "262144")
    int bodyLimit;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String answer;
        try {
            JobSpec spec = parser.parse(RequestBody.read(request.getInputStream(), request.getContentType(), bodyLimit), "");
            spec = parser.withIdempotencyKey(spec, request.getHeader("Idempotency-Key"));
            long id = submissions.submit(List.of(spec)).get(0);
            answer = Json.createObjectBuilder().add("status", "OK").add("job_id", Long.toString(id)).build().toString();
        } catch (RuntimeException e) {
            Failure failure = Failure.of(e);
            if (failure.retryLater()) {
                response.setHeader("Retry-After", "5");
            }
            String field = failure.invalid() == null ? null : failure.invalid().field();
            Audit.refusedRequest(failure.status(), request, field, failure.detail());
            write(response, failure.status(), Problems.MEDIA_TYPE, Problems.body(failure.status(), field, failure.detail()));
            return;
        }
        write(response, 200, "application/json", answer);
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("POST".equals(request.getMethod())) {
            doPost(request, response);
            return;
        }
        response.setHeader("Allow", "POST");
        write(response, 405, Problems.MEDIA_TYPE, Problems.body(405, null, "method not allowed on this resource"));
    }

    private static void write(HttpServletResponse response, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(type);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
