package io.queueserver.it.extension;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Lets the client-side test read what the in-process observers saw and did. */
@Path("test-events")
public class EventRecorderResource {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String seen() {
        return String.join("\n", EventRecorder.SEEN);
    }

    @GET
    @Path("thrown")
    @Produces(MediaType.TEXT_PLAIN)
    public String thrown() {
        return Integer.toString(ThrowingObserver.THROWN.get());
    }
}
