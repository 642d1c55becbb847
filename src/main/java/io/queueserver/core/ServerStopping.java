package io.queueserver.core;

import java.util.concurrent.CancellationException;

/**
 * A worker ends an attempt with this when the server stops under it: the attempt is handed back to the queue, not
 * recorded as a failure, and does not count.
 */
public class ServerStopping extends CancellationException {
    public ServerStopping() {
        super("the server is stopping: the attempt is handed back to the queue");
    }
}
