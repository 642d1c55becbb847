package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unique keys with a scope, a period and an on_conflict mode (README "Deduplication"), on one node and raced by
 * concurrent submits on two nodes that share the database.
 */
class DeduplicationIT extends DeployedServerTest {
    @AfterAll
    static void stopSecondNode() {
        SecondNode.close();
    }

    private String job(String path, String unique, String extra) {
        return "{\"context\":\"dedup\",\"unique\":" + unique + extra + ",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url(path) + "\"}}";
    }

    private static Api.Answer submit(Api api, String json) {
        return api.postJson("/jobs", json);
    }

    private static long id(Api.Answer a) {
        return a.object().getJsonNumber("id").longValue();
    }

    private static int jobsWithKey(String key) throws Exception {
        return (int) number("SELECT COUNT(*) FROM queue_job WHERE unique_key = ?", key);
    }

    @Test
    void returnExistingAndRejectSayWhatHappened() throws Exception {
        String later = job("/dd-x", "{\"key\":\"dd-ret\"}", ",\"delay\":3600");
        Api.Answer first = submit(api, later);
        assertEquals(201, first.status(), first.body());
        Api.Answer again = submit(api, later);
        assertEquals(200, again.status(), again.body());
        assertEquals(id(first), id(again));
        assertTrue(again.object().getBoolean("deduplicated"));
        assertEquals("returned", again.object().getString("deduplication"));
        assertEquals(1, again.object().getInt("absorbed"));
        JsonObject unique = api.job(id(first)).getJsonObject("unique");
        assertEquals("dd-ret", unique.getString("key"));
        assertEquals(1, unique.getInt("absorbed"), "the job page shows the submits it absorbed");

        String strict = job("/dd-x", "{\"key\":\"dd-rej\",\"on_conflict\":\"reject\"}", ",\"delay\":3600");
        long kept = id(submit(api, strict));
        Api.Answer refused = submit(api, strict);
        assertEquals(409, refused.status(), refused.body());
        assertEquals("application/problem+json", refused.contentType());
        assertEquals("unique.key", refused.object().getString("field"));
        assertEquals(kept, refused.object().getJsonNumber("existing_job_id").longValue());
        assertEquals(1, jobsWithKey("dd-rej"), "a refused duplicate stores nothing");

        Api.Answer compat = api.postJson("/jobs/add", later);
        assertEquals(Long.toString(id(first)), compat.object().getString("job_id"));
        assertTrue(compat.object().getBoolean("deduplicated"));
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }

    @Test
    void replaceGivesTheWaitingJobTheNewPayloadAndRunTime() {
        long waiting = id(submit(api, job("/dd-old", "{\"key\":\"dd-rep\",\"on_conflict\":\"replace\"}",
                ",\"delay\":3600")));
        Api.Answer replaced = submit(api, job("/dd-new", "{\"key\":\"dd-rep\",\"on_conflict\":\"replace\"}", ""));
        assertEquals(200, replaced.status(), replaced.body());
        assertEquals(waiting, id(replaced));
        assertEquals("replaced", replaced.object().getString("deduplication"));
        assertEquals("done", api.awaitFinal(waiting).getString("state"), "due now: it runs at once");
        assertEquals(1, target.hits("/dd-new").size());
        assertEquals(0, target.hits("/dd-old").size());
    }

    @Test
    void byDefaultAFinishedJobFreesItsKeyWhileTheShorthandKeepsIt() {
        long done = id(submit(api, job("/dd-free", "{\"key\":\"dd-free\"}", "")));
        api.awaitFinal(done);
        Api.Answer next = submit(api, job("/dd-free", "{\"key\":\"dd-free\"}", ""));
        assertEquals(201, next.status(), next.body());
        assertNotEquals(done, id(next));

        long bound = api.add("{\"unique_key\":\"dd-bound\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/dd-bound") + "\"}}");
        api.awaitFinal(bound);
        assertEquals(bound, api.add("{\"unique_key\":\"dd-bound\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/dd-bound") + "\"}}"), "unique_key: bound until the job is deleted");
    }

    @Test
    void aPeriodEndsTheBindingWhateverTheState() {
        String unique = "{\"key\":\"dd-period\",\"period\":2,\"states\":[\"waiting\",\"scheduled\",\"working\","
                + "\"done\"]}";
        long first = id(submit(api, job("/dd-period", unique, "")));
        api.awaitFinal(first);
        assertEquals(first, id(submit(api, job("/dd-period", unique, ""))), "done, but inside its period");
        Api.sleep(2200);
        Api.Answer after = submit(api, job("/dd-period", unique, ""));
        assertEquals(201, after.status(), after.body());
    }

    @Test
    void debounceRunsOnceAfterTheLastSubmitAndNoLaterThanMaxWait() {
        String quiet = "{\"key\":\"dd-deb\",\"on_conflict\":\"debounce\",\"delay\":2}";
        long id = id(submit(api, job("/dd-deb", quiet, "")));
        for (int i = 0; i < 3; i++) {
            Api.sleep(500);
            assertEquals("debounced", submit(api, job("/dd-deb", quiet, "")).object().getString("deduplication"));
        }
        long last = System.nanoTime();
        RecordingTarget.Hit hit = target.awaitHit("/dd-deb", 10_000);
        double afterLast = (hit.nanos() - last) / 1e9;
        assertTrue(afterLast >= 1.8 && afterLast < 4, "ran " + afterLast + " s after the last submit");
        assertEquals(1, target.hits("/dd-deb").size());
        assertEquals(3, api.job(id).getJsonObject("unique").getInt("absorbed"));

        String capped = "{\"key\":\"dd-cap\",\"on_conflict\":\"debounce\",\"delay\":2,\"max_wait\":4}";
        long start = System.nanoTime();
        submit(api, job("/dd-cap", capped, ""));
        while (target.hits("/dd-cap").isEmpty() && System.nanoTime() - start < Duration.ofSeconds(12).toNanos()) {
            submit(api, job("/dd-cap", capped, ""));
            Api.sleep(400);
        }
        double ranAfter = (target.awaitHit("/dd-cap", 1000).nanos() - start) / 1e9;
        assertTrue(ranAfter >= 3.8 && ranAfter < 6.5, "max_wait 4 s: ran " + ranAfter + " s after the first submit,"
                + " though submits kept coming");
    }

    /** 100 submits of one key at once, half to each of two nodes: the mode holds, one job exists. */
    @Test
    void concurrentSubmitsOfOneKeyOnTwoNodesAgreeInEveryMode() throws Exception {
        List<Api> apis = List.of(api, SecondNode.api());
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            for (String mode : List.of("return_existing", "reject", "replace", "debounce")) {
                String key = "dd-race-" + mode;
                String unique = "{\"key\":\"" + key + "\",\"on_conflict\":\"" + mode + "\""
                        + (mode.equals("debounce") ? ",\"delay\":3600" : "") + "}";
                List<Future<Api.Answer>> answers = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    Api to = apis.get(i % 2);
                    String body = job("/dd-race", unique, ",\"delay\":3600,\"n\":" + i);
                    answers.add(pool.submit(() -> submit(to, body)));
                }
                int created = 0;
                int duplicates = 0;
                Set<Long> ids = new HashSet<>();
                for (Future<Api.Answer> f : answers) {
                    Api.Answer a = f.get();
                    if (a.status() == 201) {
                        created++;
                        ids.add(id(a));
                    } else if (mode.equals("reject")) {
                        assertEquals(409, a.status(), a.body());
                        ids.add(a.object().getJsonNumber("existing_job_id").longValue());
                        duplicates++;
                    } else {
                        assertEquals(200, a.status(), a.body());
                        assertTrue(a.object().getBoolean("deduplicated"));
                        ids.add(id(a));
                        duplicates++;
                    }
                }
                assertEquals(1, created, mode + ": exactly one submit stores the job");
                assertEquals(99, duplicates, mode);
                assertEquals(1, ids.size(), mode + ": every answer names the same job " + ids);
                assertEquals(1, jobsWithKey(key), mode);
                long job = ids.iterator().next();
                assertEquals(mode.equals("reject") ? 0 : 99, api.job(job).getJsonObject("unique").getInt("absorbed"),
                        mode);
                assertEquals(204, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + job)).DELETE())
                        .status());
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }

    @Test
    void badUniqueFieldsAreNamedAndNothingIsStored() throws Exception {
        for (var bad : Map.of("{\"key\":\"dd-bad\",\"on_conflict\":\"merge\"}", "unique.on_conflict",
                "{\"key\":\"dd-bad\",\"on_conflict\":\"debounce\"}", "unique.delay",
                "{\"key\":\"dd-bad\",\"states\":[\"asleep\"]}", "unique.states",
                "{\"on_conflict\":\"reject\"}", "unique.key").entrySet()) {
            Api.Answer a = submit(api, job("/dd-bad", bad.getKey(), ""));
            assertEquals(400, a.status(), a.body());
            assertEquals(bad.getValue(), a.object().getString("field"), a.body());
        }
        assertEquals(0, jobsWithKey("dd-bad"));
    }
}
