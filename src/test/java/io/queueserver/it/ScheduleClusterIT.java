package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A schedule ticking every second on three nodes of one MariaDB database, one node killed with SIGKILL halfway and
 * started again: each of its 60 ticks fires exactly one job. Schedules declared in the environment and in a file are
 * stored once however many nodes start with them, and a restart keeps what was changed through the API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduleClusterIT {
    static final String DECLARED = "{\"it-env\":{\"cron\":\"@hourly\",\"paused\":true,\"job\":{\"command\":{\"type\":\"http\","
            + "\"url\":\"https://app.example/env\"}}}}";
    static final String FILE = "{\"it-file\":{\"cron\":\"0 30 2 * * *\",\"timezone\":\"Europe/Berlin\",\"overlap\":\"skip\","
            + "\"job\":{\"context\":\"reports\",\"command\":{\"type\":\"http\",\"url\":\"https://app.example/file\"}}}}";
    static ScratchDatabase database;
    static ClusterNodes cluster;
    static RecordingTarget target;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("schedules");
        target = new RecordingTarget();
        Path file = Files.writeString(Path.of("target", "it-schedules.json").toAbsolutePath(), FILE);
        cluster = ClusterNodes.standalone(database.url(), Map.of("QUEUE_LEASE_SECONDS", "8",
                "QUEUE_SCHEDULES", DECLARED, "QUEUE_SCHEDULES_FILE", file.toString()), "schedules");
        cluster.startAll(3);
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(cluster, target);
    }

    private static long rows(String sql) throws Exception {
        return database.query(sql, rs -> rs.getLong(1));
    }

    @Test
    @Order(1)
    void declaredSchedulesAreStoredOnceAndAnEditSurvivesARestart() throws Exception {
        for (int node = 0; node < 3; node++) {
            Set<String> names = cluster.api(node).get("/schedules").object().getJsonArray("schedules").stream()
                    .map(s -> s.asJsonObject().getString("name")).collect(Collectors.toSet());
            assertTrue(names.containsAll(Set.of("it-env", "it-file")), names.toString());
        }
        assertEquals(1, rows("SELECT COUNT(*) FROM queue_schedule WHERE name = 'it-env'"));
        assertEquals(1, rows("SELECT COUNT(*) FROM queue_schedule WHERE name = 'it-file'"));
        JsonObject file = cluster.api(1).get("/schedules/it-file").object();
        assertEquals("Europe/Berlin", file.getString("timezone"));
        assertEquals("skip", file.getString("overlap"));
        assertTrue(cluster.api(0).get("/schedules/it-env").object().getBoolean("paused"));
        // changed through the API: a restart with the same declaration keeps the change (checked after the kill below)
        Api.Answer edited = cluster.api(2).send(HttpRequest.newBuilder(cluster.api(2).uri("/schedules/it-file"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        FILE.substring(FILE.indexOf(":") + 1, FILE.length() - 1).replace("0 30 2 * * *", "0 45 3 * * *"))));
        assertEquals(200, edited.status(), edited.body());
    }

    @Test
    @Order(2)
    void everySecondForSixtySecondsFiresSixtyJobsWhileANodeIsKilledAndRestarted() throws Exception {
        Instant first = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
        Instant last = first.plusSeconds(59);
        String job = "{\"context\":\"it-ticks\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/tick?at=__FIRE_TIME__") + "\",\"timeout\":30}}";
        Api.Answer put = cluster.api(0).send(HttpRequest.newBuilder(cluster.api(0).uri("/schedules/it-ticks"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"cron\":\"* * * * * *\",\"start_at\":\"" + first + "\",\"end_at\":\"" + last + "\",\"job\":" + job + "}")));
        assertEquals(201, put.status(), put.body());
        assertEquals(first.toString().replace("Z", ".000000Z"), put.object().getString("next_fire_at"));

        sleepUntil(first.plusSeconds(28));
        ClusterNodes.Node victim = cluster.nodes.get(1);
        victim.process().destroyForcibly().waitFor();
        ClusterNodes.Node restarted = cluster.start(victim.index());
        sleepUntil(last.plusSeconds(3));
        cluster.awaitUp(restarted, Duration.ofMinutes(4));

        Api survivor = cluster.api(0);
        JsonObject schedule = survivor.get("/schedules/it-ticks").object();
        assertEquals("finished", schedule.getString("state"), "no tick after end_at");
        JsonArray runs = survivor.get("/schedules/it-ticks/runs?limit=200").object().getJsonArray("runs");
        Set<Instant> ticks = new TreeSet<>();
        Set<Long> jobs = new TreeSet<>();
        List<Long> lags = new ArrayList<>();
        for (JsonValue v : runs) {
            JsonObject run = v.asJsonObject();
            assertEquals("fired", run.getString("outcome"), run.toString());
            Instant tick = Instant.parse(run.getString("fire_at"));
            assertTrue(ticks.add(tick), "one run per tick: " + tick);
            assertTrue(jobs.add(run.getJsonNumber("job_id").longValue()), "one job per run: " + run);
            lags.add(Duration.between(tick, Instant.parse(run.getString("fired_at"))).toMillis());
        }
        Set<Instant> expected = new TreeSet<>();
        for (int i = 0; i < 60; i++) {
            expected.add(first.plusSeconds(i));
        }
        assertEquals(expected, ticks, "exactly the 60 ticks of the window");
        assertEquals(60, rows("SELECT COUNT(*) FROM queue_job WHERE context = 'it-ticks'"), "exactly 60 jobs");
        assertEquals(60, rows("SELECT COUNT(DISTINCT fire_at) FROM queue_schedule_run WHERE schedule_name = 'it-ticks'"));

        Collections.sort(lags);
        System.out.println("schedule firing lag over 60 ticks on 3 nodes, one killed: p50 " + lags.get(lags.size() / 2)
                + " ms, p90 " + lags.get(lags.size() * 9 / 10) + " ms, max " + lags.get(lags.size() - 1) + " ms");
        assertTrue(lags.get(lags.size() / 2) < 1000, "half of the ticks fired within a second: " + lags);
        assertTrue(lags.get(lags.size() - 1) < 3000, "none waited for long, even during the kill: " + lags);

        for (long id : jobs) {
            assertEquals("done", survivor.awaitJob(id, j -> j.getString("state").equals("done"), Duration.ofSeconds(60))
                    .getString("state"));
        }
        Set<String> called = target.hits("/tick").stream().map(RecordingTarget.Hit::query).collect(Collectors.toSet());
        assertEquals(expected.stream().map(t -> "at=" + t.toString().replace("Z", ".000000Z")).collect(Collectors.toSet()),
                called, "the target saw every tick (a job of the killed node may run twice: at least once)");
        try (java.sql.Connection c = database.connect()) {
            StateCountCheck.assertCountsAgree(c);
        }

        Api again = new Api(new URL(restarted.base().toString()));
        assertEquals("0 45 3 * * *", again.get("/schedules/it-file").object().getString("cron"),
                "the restarted node did not apply the unchanged declaration over the edit");
        assertEquals(1, rows("SELECT COUNT(*) FROM queue_schedule WHERE name IN ('it-env')"));
    }

    private static void sleepUntil(Instant t) {
        long millis = Duration.between(Instant.now(), t).toMillis();
        if (millis > 0) {
            Api.sleep(millis);
        }
    }
}
