package io.queueserver.workers;

import io.queueserver.api.JobSpecParserAccess;
import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.security.SecretBox;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Submit, store, run: what is stored holds no secret in clear, and the target still receives the real value. */
class SealedSecretsTest {
    @Test
    void aSealedHeaderReachesItsTargetInClear() throws Exception {
        SecretBox box = SecretBox.of("k1:" + Base64.getEncoder().encodeToString(new byte[32]));
        HttpWorker worker = new HttpWorker(300, 10_000);
        try (TargetServer target = new TargetServer()) {
            String submitted = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/sealed") + "\","
                    + "\"headers\":{\"Authorization\":\"Bearer s3cret-value\",\"X-Trace\":\"t\"}}}";
            String stored = JobSpecParserAccess.storedPayload(new Workers(List.of(worker)), box, submitted);
            assertFalse(stored.contains("s3cret-value"), stored);

            // what the engine does with a claimed payload before it hands the command to a worker
            JsonObject opened = box.open(Json.createReader(new StringReader(stored)).readObject());
            Outcome o = worker.run(new JobRun(1, 1, "c", opened.getJsonObject("command"))).get(20, TimeUnit.SECONDS);
            assertTrue(o.success(), o.toString());
            assertEquals("Bearer s3cret-value", target.requests.get(0).headers().getFirst("Authorization"));
            assertEquals("t", target.requests.get(0).headers().getFirst("X-Trace"));
        }
    }
}
