package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schedules on Payara Micro and MariaDB: the resource and its refusals, ticks every second fired once each within a
 * second, the overlap and missed-run policies, pause, resume and run now, and the dashboard's Schedules page. Every
 * schedule it makes is deleted at the end, so the test classes after it on the same database see none.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScheduleIT extends DeployedServerTest {
    @RegisterExtension
    static final Browser browser = Browser.open();

    @AfterAll
    static void removeSchedules() throws Exception {
        browser.close();
        try (Connection c = database(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM queue_schedule_run WHERE schedule_name LIKE 'it-%'");
            s.executeUpdate("DELETE FROM queue_schedule WHERE name LIKE 'it-%'");
        }
    }

    private Api.Answer put(String name, String body) {
        return api.send(HttpRequest.newBuilder(api.uri("/schedules/" + name)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.replace('\'', '"'))));
    }

    private Api.Answer delete(String name) {
        return api.send(HttpRequest.newBuilder(api.uri("/schedules/" + name)).DELETE());
    }

    private JsonObject created(String name, String body) {
        Api.Answer a = put(name, body);
        assertEquals(201, a.status(), a.body());
        return a.object();
    }

    private String job(String path) {
        return "{'context':'it-schedules','command':{'type':'http','url':'" + target.url(path) + "','timeout':30}}";
    }

    private JsonObject schedule(String name) {
        Api.Answer a = api.get("/schedules/" + name);
        assertEquals(200, a.status(), a.body());
        return a.object();
    }

    private JsonArray runs(String name) {
        return api.get("/schedules/" + name + "/runs?limit=200").object().getJsonArray("runs");
    }

    private JsonArray awaitRuns(String name, Predicate<JsonArray> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonArray runs = null;
        while (System.nanoTime() < deadline) {
            runs = runs(name);
            if (condition.test(runs)) {
                return runs;
            }
            Api.sleep(100);
        }
        throw new AssertionError("the runs of " + name + " did not get there in " + timeout + ": " + runs);
    }

    private static List<JsonObject> withOutcome(JsonArray runs, String outcome) {
        return runs.stream().map(JsonValue::asJsonObject).filter(r -> r.getString("outcome").equals(outcome)).toList();
    }

    private void pause(String name) {
        Api.Answer paused = api.postJson("/schedules/" + name + "/pause", "");
        assertEquals(200, paused.status(), paused.body());
        assertEquals("paused", paused.object().getString("state"));
    }

    private static long count(String sql, String name) throws Exception {
        try (Connection c = database(); PreparedStatement select = c.prepareStatement(sql)) {
            select.setString(1, name);
            try (ResultSet rs = select.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    @Order(1)
    void aScheduleIsCreatedReplacedShownAndDeleted() throws Exception {
        JsonObject made = created("it-nightly", "{'cron':'30 2 * * *','timezone':'Europe/Berlin','overlap':'skip',"
                + "'missed':'run_once','job':{'context':'it-schedules','command':{'type':'http','url':'https://app.example/r',"
                + "'headers':{'Authorization':'Bearer s3cret-value'}}}}");
        assertEquals("active", made.getString("state"));
        JsonArray next = made.getJsonArray("next_fire_times");
        assertEquals(10, next.size());
        Instant previous = Instant.now();
        for (JsonValue t : next) {
            Instant tick = Instant.parse(((jakarta.json.JsonString) t).getString());
            assertTrue(tick.isAfter(previous), next.toString());
            ZonedDateTime berlin = tick.atZone(ZoneId.of("Europe/Berlin"));
            assertTrue(berlin.getHour() == 2 && berlin.getMinute() == 30 || berlin.getHour() == 3 && berlin.getMinute() == 0,
                    "02:30 in Berlin (03:00 on the day clocks go forward): " + berlin);
            previous = tick;
        }
        assertEquals(next.getString(0), made.getString("next_fire_at"));
        assertEquals("***", made.getJsonObject("job").getJsonObject("command").getJsonObject("headers")
                .getString("Authorization"), "secrets are masked");
        assertEquals(0, made.getJsonArray("runs").size());

        Api.Answer replaced = put("it-nightly", "{'cron':'0 6 * * 1-5','timezone':'America/New_York'," + "'job':"
                + job("/it-nightly") + "}");
        assertEquals(200, replaced.status(), replaced.body());
        assertEquals("0 6 * * 1-5", replaced.object().getString("cron"));
        assertEquals("allow", replaced.object().getString("overlap"), "a PUT replaces the whole schedule");
        assertEquals(made.getString("created_at"), replaced.object().getString("created_at"));
        ZonedDateTime first = Instant.parse(replaced.object().getString("next_fire_at")).atZone(ZoneId.of("America/New_York"));
        assertEquals(6, first.getHour());
        assertTrue(first.getDayOfWeek().getValue() <= 5);

        assertTrue(api.get("/schedules").object().getJsonArray("schedules").stream()
                .anyMatch(s -> s.asJsonObject().getString("name").equals("it-nightly")));
        assertEquals(204, delete("it-nightly").status());
        assertEquals(404, api.get("/schedules/it-nightly").status());
        assertEquals(404, delete("it-nightly").status());
    }

    @Test
    @Order(2)
    void badInputIsRefusedNamingTheFieldAndNothingIsStored() throws Exception {
        String[][] refused = {
                {"{'cron':'* * *','job':" + job("/x") + "}", "cron"},
                {"{'cron':'61 * * * * *','job':" + job("/x") + "}", "cron"},
                {"{'cron':'@fortnightly','job':" + job("/x") + "}", "cron"},
                {"{'cron':'0 0 30 2 *','job':" + job("/x") + "}", "cron"},
                {"{'cron':'@daily','timezone':'Europe/Atlantis','job':" + job("/x") + "}", "timezone"},
                {"{'cron':'@daily','overlap':'queue','job':" + job("/x") + "}", "overlap"},
                {"{'cron':'@daily','missed':'all','job':" + job("/x") + "}", "missed"},
                {"{'cron':'@daily','missed_cap':100000,'job':" + job("/x") + "}", "missed_cap"},
                {"{'cron':'@daily','end_at':'soon','job':" + job("/x") + "}", "end_at"},
                {"{'cron':'@daily'}", "job"},
                {"{'cron':'@daily','job':{'command':{'type':'http','url':'file:///etc/passwd'}}}", "job.command.url"},
                {"{'cron':'@daily','job':{'command':{'type':'http','url':'http://169.254.169.254/'}}}", "job.command.url"},
                {"{'cron':'@daily','job':{'unique_key':'k','command':{'type':'http','url':'https://a.example/'}}}", "job.unique_key"},
                {"{'cron':'@daily','cronn':'@hourly','job':" + job("/x") + "}", "cronn"},
                {"{'cron':", "body"}};
        for (String[] r : refused) {
            Api.Answer a = put("it-bad", r[0]);
            assertTrue(a.status() == 400 || a.status() == 403, r[0] + " -> " + a.status() + " " + a.body());
            assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
            assertEquals(r[1], a.object().getString("field"), a.body());
        }
        assertEquals("name", put("it-bad%20name", "{'cron':'@daily','job':" + job("/x") + "}").object().getString("field"));
        assertEquals(404, api.get("/schedules/it-bad").status());
        assertEquals(0, count("SELECT COUNT(*) FROM queue_schedule WHERE name LIKE ?", "it-bad%"), "nothing stored");
    }

    @Test
    @Order(3)
    void anEverySecondScheduleFiresEachTickOnceWithinASecond() throws Exception {
        created("it-second", "{'cron':'* * * * * *','job':{'context':'it-schedules','command':{'type':'http','url':'"
                + target.url("/it-second?tick=__FIRE_TIME__&schedule=__SCHEDULE__") + "'}}}");
        awaitRuns("it-second", r -> r.size() >= 5, Duration.ofSeconds(15));
        pause("it-second");
        JsonArray runs = runs("it-second");
        Set<Instant> ticks = new HashSet<>();
        Set<Long> jobs = new HashSet<>();
        for (JsonValue v : runs) {
            JsonObject run = v.asJsonObject();
            assertEquals("fired", run.getString("outcome"), run.toString());
            Instant tick = Instant.parse(run.getString("fire_at"));
            assertEquals(0, tick.getNano(), "ticks are whole seconds");
            double lag = Duration.between(tick, Instant.parse(run.getString("fired_at"))).toMillis() / 1000.0;
            assertTrue(lag >= 0 && lag < 1, "fired " + lag + " s after its tick: " + run);
            assertTrue(ticks.add(tick));
            assertTrue(jobs.add(run.getJsonNumber("job_id").longValue()));
        }
        Instant newest = ticks.stream().max(Instant::compareTo).orElseThrow();
        Instant oldest = ticks.stream().min(Instant::compareTo).orElseThrow();
        assertEquals(ticks.size() - 1, Duration.between(oldest, newest).toSeconds(), "no tick left out: " + ticks);
        for (long id : jobs) {
            JsonObject job = api.awaitFinal(id);
            assertEquals("done", job.getString("state"), job.toString());
            assertEquals("it-second", job.getJsonObject("job").getJsonObject("schedule").getString("name"));
        }
        Set<String> called = target.hits("/it-second").stream().map(h -> h.query()).collect(Collectors.toSet());
        assertEquals(ticks.stream().map(t -> "tick=" + t.toString().replace("Z", ".000000Z") + "&schedule=it-second")
                .collect(Collectors.toSet()), called, "the target was called once per tick, with its tick");
        assertEquals(runs.size(), target.hits("/it-second").size());
        try (Connection c = database()) {
            StateCountCheck.assertCountsAgree(c);
        }
    }

    @Test
    @Order(4)
    void overlapSkipRecordsTheTicksWhileThePreviousJobIsUnfinished() {
        created("it-skip", "{'cron':'* * * * * *','overlap':'skip','job':" + job("/it-skip?hold_ms=2500") + "}");
        JsonArray runs = awaitRuns("it-skip", r -> withOutcome(r, "skipped").size() >= 3
                && withOutcome(r, "fired").size() >= 2, Duration.ofSeconds(20));
        pause("it-skip");
        for (JsonObject skipped : withOutcome(runs, "skipped")) {
            assertTrue(skipped.isNull("job_id"), skipped.toString());
            assertTrue(skipped.getString("detail").matches("job \\d+ was still (waiting|working) \\(overlap: skip\\)"),
                    skipped.getString("detail"));
        }
        withOutcome(runs("it-skip"), "fired").forEach(r -> api.awaitFinal(r.getJsonNumber("job_id").longValue()));
        assertEquals(1, target.maxConcurrent("/it-skip"), "never two of its jobs at once");
    }

    @Test
    @Order(5)
    void overlapCancelPreviousCancelsTheUnfinishedJob() {
        created("it-cancel", "{'cron':'*/2 * * * * *','overlap':'cancel_previous','job':" + job("/it-cancel?hold_ms=20000") + "}");
        awaitRuns("it-cancel", r -> withOutcome(r, "fired").size() >= 2, Duration.ofSeconds(15));
        pause("it-cancel");
        JsonArray runs = runs("it-cancel");
        List<JsonObject> fired = withOutcome(runs, "fired");
        JsonObject newest = fired.get(0);
        JsonObject before = fired.get(1);
        long cancelled = before.getJsonNumber("job_id").longValue();
        assertTrue(newest.getString("detail").startsWith("cancelled job " + cancelled + ", which was still "), newest.toString());
        JsonObject job = api.awaitJob(cancelled, j -> j.getString("state").equals("cancelled"), Duration.ofSeconds(5));
        assertEquals("cancelled", job.getString("state"));
        long last = newest.getJsonNumber("job_id").longValue();
        assertEquals(200, api.postJson("/jobs/" + last + "/cancel", "").status());
        assertEquals(0, runs.size() - fired.size(), "every tick fired: " + runs);
    }

    @Test
    @Order(6)
    void missedTicksFollowTheMissedPolicy() throws Exception {
        // daily at midnight UTC, nobody fired for five days: the schedule's next tick is five midnights ago
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Instant due = today.minusDays(5).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (String policy : new String[] {"skip", "run_once", "run_all"}) {
            created("it-missed-" + policy, "{'cron':'0 0 * * *','paused':true,'missed':'" + policy + "','missed_cap':3,"
                    + "'job':" + job("/it-missed-" + policy) + "}");
            try (Connection c = database(); PreparedStatement down = c.prepareStatement(
                    "UPDATE queue_schedule SET paused = 0, next_fire_at = ? WHERE name = ?")) {
                down.setString(1, due.toString().replace("T", " ").replace("Z", ""));
                down.setString(2, "it-missed-" + policy);
                assertEquals(1, down.executeUpdate());
            }
        }
        Instant tomorrow = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (String policy : new String[] {"skip", "run_once", "run_all"}) {
            String name = "it-missed-" + policy;
            awaitRuns(name, r -> !r.isEmpty(), Duration.ofSeconds(10));
            assertEquals(tomorrow, Instant.parse(schedule(name).getString("next_fire_at")), name);
        }
        JsonArray skip = runs("it-missed-skip");
        assertEquals(1, skip.size(), skip.toString());
        assertEquals("missed", skip.getJsonObject(0).getString("outcome"));
        assertTrue(skip.getJsonObject(0).isNull("job_id"));
        assertEquals(due, Instant.parse(skip.getJsonObject(0).getString("fire_at")));

        JsonArray once = runs("it-missed-run_once");
        assertEquals(1, once.size(), once.toString());
        assertEquals("caught_up", once.getJsonObject(0).getString("outcome"));
        api.awaitFinal(once.getJsonObject(0).getJsonNumber("job_id").longValue());

        JsonArray all = runs("it-missed-run_all");
        assertEquals(List.of("missed", "caught_up", "caught_up", "caught_up"),
                all.stream().map(r -> r.asJsonObject().getString("outcome")).toList(), all.toString());
        assertEquals(List.of(due.plus(Duration.ofDays(3)), due.plus(Duration.ofDays(2)), due.plus(Duration.ofDays(1)), due),
                all.stream().map(r -> Instant.parse(r.asJsonObject().getString("fire_at"))).toList());
        assertTrue(all.getJsonObject(0).getString("detail").contains("missed_cap 3"));
        for (JsonObject r : withOutcome(all, "caught_up")) {
            api.awaitFinal(r.getJsonNumber("job_id").longValue());
        }
        assertEquals(0, target.hits("/it-missed-skip").size());
        assertEquals(1, target.hits("/it-missed-run_once").size());
        assertEquals(3, target.hits("/it-missed-run_all").size());
    }

    @Test
    @Order(7)
    void pauseResumeAndRunNow() {
        JsonObject made = created("it-pause", "{'cron':'* * * * * *','paused':true,'job':" + job("/it-pause") + "}");
        assertEquals("paused", made.getString("state"));
        assertEquals(0, made.getJsonArray("next_fire_times").size());
        Api.sleep(1500);
        assertEquals(0, runs("it-pause").size(), "a paused schedule fires nothing");

        Api.Answer run = api.postJson("/schedules/it-pause/run", "");
        assertEquals(201, run.status(), run.body());
        long id = run.object().getJsonNumber("job_id").longValue();
        assertTrue(run.raw().headers().firstValue("Location").orElse("").endsWith("/jobs/" + id));
        JsonObject job = api.awaitFinal(id);
        assertEquals("done", job.getString("state"));
        assertTrue(job.getJsonObject("job").getJsonObject("schedule").getBoolean("manual"));
        JsonArray runs = runs("it-pause");
        assertEquals(1, runs.size());
        assertTrue(runs.getJsonObject(0).getBoolean("manual"));
        assertEquals(id, runs.getJsonObject(0).getJsonNumber("job_id").longValue());

        Api.Answer resumed = api.postJson("/schedules/it-pause/resume", "");
        assertEquals("active", resumed.object().getString("state"), resumed.body());
        awaitRuns("it-pause", r -> r.stream().anyMatch(x -> !x.asJsonObject().getBoolean("manual")), Duration.ofSeconds(3));
        pause("it-pause");
        int afterPause = runs("it-pause").size();
        Api.sleep(1500);
        assertEquals(afterPause, runs("it-pause").size(), "nothing fires once the pause is answered");
        assertEquals(404, api.postJson("/schedules/it-none/run", "").status());
        assertEquals(404, api.postJson("/schedules/it-none/pause", "").status());
    }

    @Test
    @Order(8)
    void theSchedulesPageRunsPausesResumesAndShowsTheJobHistory() {
        created("it-page", "{'cron':'0 3 * * *','timezone':'Europe/Berlin','job':" + job("/it-page") + "}");
        browser.driver.get(api.uri("/management/").toString());
        browser.await("the dashboard", d -> "live".equals(browser.byId("live").getAttribute("data-state")));
        browser.byId("nav-schedules").click();
        browser.await("the Schedules page lists it", d -> browser.byId("schedules-view").isDisplayed()
                && "active".equals(rowAttribute("it-page", "data-state")));

        browser.confirm(By.cssSelector("#schedule-rows tr[data-name='it-page'] button[data-act='run']"));
        browser.await("run now fired a job", d -> toast().contains("fired job #"));
        long id = Long.parseLong(toast().replaceAll(".*fired job #(\\d+).*", "$1"));
        assertEquals("done", api.awaitFinal(id).getString("state"));
        browser.await("its last run is that job, done", d -> String.valueOf(rowText("it-page", "td.last")).contains("#" + id)
                && String.valueOf(rowText("it-page", "td.last")).contains("done"));

        clickInRow("it-page", "pause");
        browser.await("paused", d -> "paused".equals(rowAttribute("it-page", "data-state")));
        assertTrue(schedule("it-page").getBoolean("paused"));
        clickInRow("it-page", "resume");
        browser.await("resumed", d -> "active".equals(rowAttribute("it-page", "data-state")));
        assertFalse(schedule("it-page").getBoolean("paused"));

        try {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
            long overflow = (Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
            assertTrue(overflow <= 0, "the Schedules page fits a phone (its table scrolls): " + overflow + " px too wide");
        } finally {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));
        }
        browser.driver.findElement(By.cssSelector("#schedule-rows tr[data-name='it-page'] td.ctx a")).click();
        browser.await("the history of it-page", d -> browser.byId("schedule-detail").isDisplayed()
                && browser.driver.findElements(By.cssSelector("#run-rows tr[data-job='" + id + "']")).size() == 1);
        assertTrue(browser.byId("schedule-next").getText().contains("Europe/Berlin"), browser.byId("schedule-next").getText());
        browser.driver.findElement(By.cssSelector("#run-rows tr[data-job='" + id + "'] a")).click();
        browser.await("the job page links back to its schedule", d -> browser.byId("job-view").isDisplayed()
                && browser.byId("job-facts").getText().contains("it-page (run now)"));

        browser.driver.get(api.uri("/management/#/schedules").toString());
        clickInRow("it-page", "edit");
        WebElement cron = browser.byId("schedule-form").findElement(By.name("cron"));
        browser.await("the form holds the schedule", d -> "0 3 * * *".equals(cron.getDomProperty("value")));
        cron.clear();
        cron.sendKeys("0 3 * *");
        browser.byId("schedule-form").findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("the refusal is shown next to the cron", d -> !browser.byId("sf-cron-error").getText().isBlank());
        assertEquals("0 3 * * *", schedule("it-page").getString("cron"), "the refused change changed nothing");
        cron.clear();
        cron.sendKeys("15 4 * * *");
        browser.byId("schedule-form").findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("saved", d -> toast().contains("saved"));
        assertEquals("15 4 * * *", schedule("it-page").getString("cron"));
        assertNotNull(schedule("it-page").getString("next_fire_at"));

        // not a check: the picture of the README (docs/screenshots), the history of the schedule that skipped ticks
        browser.driver.get(api.uri("/management/#/schedules/it-skip").toString());
        browser.await("its history", d -> browser.driver.findElements(By.cssSelector("#run-rows tr[data-outcome='skipped']"))
                .size() >= 3);
        browser.js("window.scrollTo(0, document.getElementById('schedules-title').offsetTop - 64)");
        browser.screenshot("schedules");
    }

    private void clickInRow(String name, String action) {
        browser.click(By.cssSelector("#schedule-rows tr[data-name='" + name + "'] button[data-act='" + action + "']"));
    }

    private String rowAttribute(String name, String attribute) {
        return (String) browser.js("const r = document.querySelector(\"#schedule-rows tr[data-name='\" + arguments[0] + \"']\");"
                + " return r ? r.getAttribute(arguments[1]) : null", name, attribute);
    }

    private Object rowText(String name, String cell) {
        return browser.js("const r = document.querySelector(\"#schedule-rows tr[data-name='\" + arguments[0] + \"']\");"
                + " return r ? r.querySelector(arguments[1]).textContent : null", name, cell);
    }

    private String toast() {
        WebElement toast = browser.byId("toast");
        return toast.isDisplayed() ? toast.getText() : "";
    }
}
