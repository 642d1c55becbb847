package io.queueserver.api;

import io.queueserver.security.SecretBox;
import io.queueserver.workers.Workers;
import jakarta.json.Json;

import java.io.StringReader;

/** For tests in other packages: the payload text a submit stores. */
public final class JobSpecParserAccess {
    private JobSpecParserAccess() {
    }

    public static String storedPayload(Workers workers, SecretBox box, String job) {
        return new JobSpecParser(workers, 1, 262_144, box, null)
                .parse(Json.createReader(new StringReader(job)).readValue(), "").payload().toString();
    }
}
