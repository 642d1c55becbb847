package io.queueserver.api;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST API sits at the root so that the PHP original's URLs (/jobs/add, ...) keep working. */
@ApplicationPath("/")
public class QueueApplication extends Application {
}
