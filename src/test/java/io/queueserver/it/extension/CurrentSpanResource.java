package io.queueserver.it.extension;

import io.opentelemetry.api.trace.Span;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Says whether the container made a server span current for this request. */
@Path("test-span")
public class CurrentSpanResource {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String current() {
        return Boolean.toString(Span.current().getSpanContext().isValid());
    }
}
