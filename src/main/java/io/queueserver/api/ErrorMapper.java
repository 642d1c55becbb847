package io.queueserver.api;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Problems;
import io.queueserver.security.Audit;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;


/**
 * Every error of the API as problem+json: JAX-RS refusals keep their status (404, 405, 415 ...), an unreachable
 * database is 503 with Retry-After, anything else is logged once and answered 500 without internals.
 */
@Provider
public class ErrorMapper implements ExceptionMapper<Throwable> {
    /** Set on a 500 whose change may or may not have been committed; see README "Reliability". */
    public static final String OUTCOME = "Queue-Outcome";

    @Context
    HttpServletRequest request;

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof InvalidField invalid) {
            return refused(invalid);
        }
        if (e instanceof WebApplicationException web) {
            int status = web.getResponse().getStatus();
            return Problems.of(status, null, status == 404 ? "no such resource"
                    : status == 405 ? "method not allowed on this resource"
                    : status == 415 ? "unsupported content type" : String.valueOf(web.getMessage()));
        }
        Failure failure = Failure.of(e);
        if (failure.invalid() != null) {
            return refused(failure.invalid());
        }
        if (failure.outcomeUnknown()) {
            return Response.fromResponse(Problems.typed(failure.status(), Problems.OUTCOME_UNKNOWN, failure.detail()))
                    .header(OUTCOME, "unknown").build();
        }
        Response problem = Problems.of(failure.status(), null, failure.detail());
        return failure.retryLater() ? Response.fromResponse(problem).header("Retry-After", "5").build() : problem;
    }

    private Response refused(InvalidField invalid) {
        if (invalid.status() == 401 || invalid.status() == 403) {
            try {
                Audit.refusedRequest(invalid.status(), request, invalid.field(), invalid.getMessage());
            } catch (RuntimeException outsideRequest) {
                Audit.denied(invalid.status(), null, null, null, invalid.field() + " " + invalid.getMessage());
            }
        }
        Response problem = Problems.of(invalid.status(), invalid.field(), invalid.getMessage(), invalid.more());
        return invalid.status() == 429 ? Response.fromResponse(problem).header("Retry-After", "5").build() : problem;
    }
}
