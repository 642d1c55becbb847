package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redrives (README "Dead letters and redrive") on two nodes sharing the database: the deployed server and a second
 * standalone one, both working on every running redrive. Rates are measured at a real local target.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedriveIT extends DeployedServerTest {
    static ClusterNodes second;

    @BeforeAll
    static void startSecondNode() throws Exception {
        second = ClusterNodes.standalone(System.getProperty("it.db.url"), Map.of(), "redrive");
        second.start(0);
    }

    @AfterAll
    static void stopSecondNode() {
        second.close();
    }

    private static void secondNodeUp() {
        second.awaitUp(second.nodes.get(0), Duration.ofMinutes(4));
    }

    /** {@code n} jobs of the context that fail at once (404), submitted as one batch; returns when all have failed. */
    private void failedJobs(String context, String path, int n) throws Exception {
        String job = "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url(path + "?job=__JOBID__") + "\"}}";
        Api.Answer a = api.postJson("/jobs", "[" + String.join(",", Collections.nCopies(n, job)) + "]");
        assertEquals(201, a.status(), a.body());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (count(context, 99) < n) {
            assertTrue(System.nanoTime() < deadline, "the jobs of " + context + " did not all fail");
            Api.sleep(200);
        }
    }

    private static long count(String context, int state) throws Exception {
        try (Connection c = database(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM queue_job WHERE context = '" + context
                     + "' AND state = " + state)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private JsonObject redrive(String body) {
        Api.Answer a = api.postJson("/redrives", body);
        assertEquals(201, a.status(), a.body());
        return a.object();
    }

    private JsonObject awaitRedrive(long id, String state, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject r = null;
        while (System.nanoTime() < deadline) {
            r = api.get("/redrives/" + id).object();
            if (r.getString("state").equals(state)) {
                return r;
            }
            Api.sleep(200);
        }
        throw new AssertionError("redrive " + id + " is not " + state + " after " + timeout + ": " + r);
    }

    /** Jobs of the context moved back to the queue per second of the database clock (a redrive sets run_at to now). */
    private static Map<Long, Integer> redrivenPerSecond(String context) throws Exception {
        Map<Long, Integer> perSecond = new TreeMap<>();
        try (Connection c = database(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT FLOOR(UNIX_TIMESTAMP(run_at)), COUNT(*) FROM queue_job WHERE context = '"
                     + context + "' GROUP BY FLOOR(UNIX_TIMESTAMP(run_at))")) {
            while (rs.next()) {
                perSecond.put(rs.getLong(1), rs.getInt(2));
            }
        }
        return perSecond;
    }

    /** The job ids of the hits to {@code path} after the first {@code skip} of them. */
    private static List<String> jobIds(String path, int skip) {
        List<RecordingTarget.Hit> hits = target.hits(path);
        return hits.subList(Math.min(skip, hits.size()), hits.size()).stream()
                .map(h -> h.query().replaceAll(".*job=(\\d+).*", "$1")).toList();
    }

    @Test
    @Order(1)
    void twoThousandFailedJobsReachTheTargetAtTheRateEachOnce() throws Exception {
        AtomicBoolean healed = new AtomicBoolean();
        target.scripts.put("/rd-mass", n -> RecordingTarget.Scripted.of(healed.get() ? 200 : 404));
        secondNodeUp(); // its start would slow the jobs down on this 2-core machine
        failedJobs("rd-mass", "/rd-mass", 2000);
        healed.set(true);
        int before = target.hits("/rd-mass").size();
        JsonObject r = redrive("{\"filter\":{\"context\":\"rd-mass\"},\"rate\":\"100/s\"}");
        assertEquals(2000, r.getInt("matched"));
        assertEquals("running", r.getString("state"));
        assertTrue(r.getString("created_by").contains("127.0.0.1"), r.toString());
        long id = r.getJsonNumber("id").longValue();

        Api.sleep(5000);
        JsonObject midway = api.get("/redrives/" + id).object();
        int soFar = midway.getInt("redriven");
        assertTrue(soFar > 200 && soFar < 1000, "about 500 after 5 s at 100/s: " + midway);
        assertTrue(api.get("/redrives").object().getJsonArray("redrives").stream()
                .anyMatch(x -> x.asJsonObject().getJsonNumber("id").longValue() == id), "listed");

        JsonObject done = awaitRedrive(id, "done", Duration.ofSeconds(60));
        assertEquals(2000, done.getInt("redriven"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (target.hits("/rd-mass").size() < before + 2000 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        Api.sleep(1000);
        List<String> ids = jobIds("/rd-mass", before);
        assertEquals(2000, ids.size(), "each redriven job called the target once");
        assertEquals(2000, Set.copyOf(ids).size(), "no job twice, though two nodes worked on the redrive");
        assertEquals(2000, count("rd-mass", 3));

        List<RecordingTarget.Hit> hits = target.hits("/rd-mass").subList(before, before + 2000);
        double seconds = (hits.get(1999).nanos() - hits.get(0).nanos()) / 1e9;
        double rate = 1999 / seconds;
        Map<Long, Integer> perSecond = new TreeMap<>();
        hits.forEach(h -> perSecond.merge((h.nanos() - hits.get(0).nanos()) / 1_000_000_000L, 1, Integer::sum));
        int busiest = Collections.max(perSecond.values());
        Map<Long, Integer> redrivenPerSecond = redrivenPerSecond("rd-mass");
        System.out.printf("redrive of 2000 jobs at 100/s: %.1f/s measured at the target over %.1f s, busiest second"
                + " %d; moved back per second: %s%n", rate, seconds, busiest, redrivenPerSecond.values());
        assertTrue(rate > 70 && rate < 115, "100/s asked, " + rate + "/s measured at the target");
        assertTrue(busiest <= 300, "no flood at the target: " + perSecond); // a stall of the claims is made up after
        assertTrue(Collections.max(redrivenPerSecond.values()) <= 130, "moved back at the rate, with at most its"
                + " 0.2 s bucket above it in any second: " + redrivenPerSecond);
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }

    @Test
    @Order(2)
    void deleteStopsARedrive() throws Exception {
        target.scripts.put("/rd-stop", n -> RecordingTarget.Scripted.of(404));
        failedJobs("rd-stop", "/rd-stop", 300);
        int before = target.hits("/rd-stop").size();
        long id = redrive("{\"filter\":{\"context\":\"rd-stop\"},\"rate\":\"20/s\"}").getJsonNumber("id").longValue();
        Api.sleep(2000);
        Api.Answer stopped = api.send(HttpRequest.newBuilder(api.uri("/redrives/" + id)).DELETE());
        assertEquals(200, stopped.status(), stopped.body());
        assertEquals("cancelled", stopped.object().getString("state"));
        int redriven = stopped.object().getInt("redriven");
        assertTrue(redriven > 10 && redriven < 100, "about 40 in 2 s at 20/s: " + redriven);
        Api.sleep(1500);
        int hitsThen = target.hits("/rd-stop").size();
        Api.sleep(1500);
        assertEquals(hitsThen, target.hits("/rd-stop").size(), "nothing more is redriven");
        assertEquals(before + redriven, hitsThen, "each job the redrive moved ran once");
        assertEquals(redriven, api.get("/redrives/" + id).object().getInt("redriven"));
        assertEquals(409, api.send(HttpRequest.newBuilder(api.uri("/redrives/" + id)).DELETE()).status());
        assertEquals(404, api.send(HttpRequest.newBuilder(api.uri("/redrives/987654321")).DELETE()).status());
        assertEquals(404, api.get("/redrives/987654321").status());
    }

    @Test
    @Order(3)
    void anOverrideSendsTheJobsToTheirNewUrlWithNewHeaders() throws Exception {
        target.scripts.put("/rd-old", n -> RecordingTarget.Scripted.of(404));
        failedJobs("rd-moved", "/rd-old", 20);
        JsonObject r = redrive("{\"filter\":{\"context\":\"rd-moved\",\"error\":\"status 404\"},\"rate\":\"50/s\","
                + "\"override\":{\"url\":\"" + target.url("/rd-new?job=__JOBID__") + "\",\"headers\":{\"X-Redriven\":"
                + "\"yes\",\"Authorization\":\"Bearer redrive-secret\"}}}");
        assertEquals(20, r.getInt("matched"));
        assertEquals("***", r.getJsonObject("override").getJsonObject("headers").getString("Authorization"),
                "the override's secrets are masked where it is shown");
        awaitRedrive(r.getJsonNumber("id").longValue(), "done", Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (target.hits("/rd-new").size() < 20 && System.nanoTime() < deadline) {
            Api.sleep(100);
        }
        List<RecordingTarget.Hit> moved = target.hits("/rd-new");
        assertEquals(20, moved.size());
        assertTrue(moved.stream().allMatch(h -> "yes".equals(h.header("X-Redriven"))
                && "Bearer redrive-secret".equals(h.header("Authorization"))), "the new headers are sent");
        assertEquals(20, moved.stream().map(RecordingTarget.Hit::query).collect(Collectors.toSet()).size());
        assertEquals(20, count("rd-moved", 3));
        long one = Long.parseLong(jobIds("/rd-new", 0).get(0));
        assertTrue(api.job(one).getJsonObject("job").getJsonObject("command").getString("url").contains("/rd-new"),
                "the job shows its new url");
    }

    @Test
    @Order(4)
    void badRedrivesAreRefusedNamingTheFieldAndNothingIsStored() {
        int before = api.get("/redrives").object().getJsonArray("redrives").size();
        assertField(400, "{\"rate\":\"fast\"}", "rate");
        assertField(400, "{\"rate\":\"0/s\"}", "rate");
        assertField(400, "{\"filter\":{\"host\":\"Not a host\"}}", "filter.host");
        assertField(400, "{\"filter\":{\"since\":\"last week\"}}", "filter.since");
        assertField(400, "{\"filter\":{\"state\":\"done\"}}", "filter.state");
        assertField(400, "{\"filter\":\"rd\"}", "filter");
        assertField(400, "{\"override\":{\"url\":\"ftp://example.org/\"}}", "override.url");
        assertField(400, "{\"override\":{\"headers\":{\"Host\":\"x\"}}}", "override.headers.Host");
        assertField(400, "{\"override\":{\"headers\":{\"X-Key\":\"sealed:v1:k:abc\"}}}", "override.headers.X-Key");
        assertField(403, "{\"override\":{\"url\":\"http://169.254.169.254/latest\"}}", "override.url");
        assertField(400, "{\"bogus\":true}", "bogus");
        assertEquals(before, api.get("/redrives").object().getJsonArray("redrives").size(), "nothing stored");
    }

    private void assertField(int status, String body, String field) {
        Api.Answer a = api.postJson("/redrives", body);
        assertEquals(status, a.status(), a.body());
        assertEquals(field, a.object().getString("field"), a.body());
    }

    /** A node killed while it works on a redrive loses nothing: the other goes on from where the batches got. */
    @Test
    @Order(5)
    void aRedriveGoesOnWhenANodeWorkingOnItIsKilled() throws Exception {
        target.scripts.put("/rd-death", n -> RecordingTarget.Scripted.of(404));
        failedJobs("rd-death", "/rd-death", 400);
        assertEquals(200, api.postJson("/limits/*/pause", "").status()); // the jobs stay waiting once redriven
        try {
            Api.sleep(1100);
            long id = redrive("{\"filter\":{\"context\":\"rd-death\"},\"rate\":\"40/s\"}").getJsonNumber("id").longValue();
            Api.sleep(3000);
            second.nodes.get(0).process().destroyForcibly().waitFor();
            assertTrue(count("rd-death", 0) < 400, "killed while the redrive was under way");
            JsonObject done = awaitRedrive(id, "done", Duration.ofSeconds(60));
            assertEquals(400, done.getInt("matched"));
            assertEquals(400, done.getInt("redriven"));
            assertEquals(400, count("rd-death", 0), "every job moved back exactly once");
            assertEquals(0, count("rd-death", 99));
            try (Connection c = database()) {
                StateCountCheck.assertCountsAgree(c);
            }
        } finally {
            api.postJson("/limits/*/resume", "");
        }
        assertFalse(second.nodes.get(0).process().isAlive());
    }
}
