package io.queueserver.ops;

import io.queueserver.jobs.InvalidField;
import io.queueserver.jobs.Problems;
import io.queueserver.security.Audit;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every error of the API as problem+json: JAX-RS refusals keep their status (404, 405, 415 ...), an unreachable
 * database is 503 with Retry-After, anything else is logged once and answered 500 without internals.
 */
@Provider
public class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

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
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidField invalid) {
                return refused(invalid);
            }
            if (databaseUnavailable(cause)) {
                String reason = cause.toString();
                LOG.warning(() -> "database unavailable: " + reason);
                return Response.fromResponse(Problems.of(503, null, "the database is unavailable; try again shortly"))
                        .header("Retry-After", "5").build();
            }
        }
        LOG.log(Level.SEVERE, "unexpected error", e);
        return Problems.of(500, null, "internal error; see the server log");
    }

    private Response refused(InvalidField invalid) {
        if (invalid.status() == 401 || invalid.status() == 403) {
            try {
                Audit.denied(invalid.status(), request.getRemoteAddr(), request.getMethod(), request.getRequestURI(),
                        invalid.field() + " " + invalid.getMessage());
            } catch (RuntimeException outsideRequest) {
                Audit.denied(invalid.status(), null, null, null, invalid.field() + " " + invalid.getMessage());
            }
        }
        return Problems.of(invalid.status(), invalid.field(), invalid.getMessage());
    }

    private static boolean databaseUnavailable(Throwable t) {
        if (t instanceof SQLTransientException) {
            return true;
        }
        if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
            return true;
        }
        String name = t.getClass().getName();
        return name.endsWith("PoolingException") || name.endsWith("ResourceAllocationException")
                || name.contains("CommunicationsException");
    }
}
