package io.queueserver.it;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard at /management in a real headless Chromium against Payara Micro on MariaDB: jobs are submitted
 * through the API and the page must follow without a reload.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT extends DeployedServerTest {
    static final String RUN = Long.toString(System.nanoTime(), 36);
    static final String MAX_THREADS = System.getenv().getOrDefault("QUEUE_MAX_THREADS", "20");
    @RegisterExtension
    static final Browser browser = Browser.open();


    @AfterAll
    static void stop() {
        browser.close();
    }

    @AfterEach
    void unblock() {
        target.gate.release(target.gate.getQueueLength());
    }

    @Test
    @Order(1)
    void countersAndRowsUpdateLiveWithoutAReload() {
        openDashboard();
        browser.js("window.notReloaded = true");
        long doneBefore = browser.counter("done");
        long failedBefore = browser.counter("failed");
        long a = api.add(job("live-" + RUN, "/hold?ms=300"));
        long b = api.add(job("live-" + RUN, "/hold?ms=300"));
        long c = api.add(job("live-" + RUN, "/fail"));

        browser.await("the new jobs appear as rows", d -> browser.rowIds().containsAll(ids(a, b, c)));
        browser.await("the rows turn done and failed",
                d -> "done".equals(browser.rowState(a)) && "done".equals(browser.rowState(b))
                        && "failed".equals(browser.rowState(c)));
        browser.await("the counters follow", d -> browser.counter("done") >= doneBefore + 2
                && browser.counter("failed") >= failedBefore + 1);
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded === true"), "the page was not reloaded");
        assertEquals("live", browser.byId("live").getAttribute("data-state"));
        assertTrue(browser.byId("c-threads").getText().matches("\\d+ / " + MAX_THREADS), browser.byId("c-threads").getText());
        assertFalse(browser.driver.findElements(By.cssSelector("#chart rect")).isEmpty(), "the chart shows the jobs");
    }

    @Test
    @Order(2)
    void filtersAndSearchNarrowTheTable() {
        // a malformed escape in a URL (decodeURIComponent throws on it) must not stop the table from rendering
        long a1 = api.add(job("alpha-" + RUN, "/ok?mark=apple-" + RUN + "&%ff=1"));
        long a2 = api.add(job("alpha-" + RUN, "/ok?mark=pear-" + RUN));
        long b1 = api.add(job("beta-" + RUN, "/fail?mark=plum-" + RUN));
        List.of(a1, a2, b1).forEach(api::awaitFinal);
        openDashboard();
        browser.await("all three jobs are listed", d -> browser.rowIds().containsAll(ids(a1, a2, b1)));

        WebElement context = browser.byId("f-context");
        context.sendKeys("alpha-" + RUN, Keys.ENTER);
        browser.await("only the alpha context is listed", d -> Set.copyOf(browser.rowIds()).equals(ids(a1, a2)));
        assertTrue(browser.driver.getCurrentUrl().contains("context=alpha-" + RUN), "the filter is in the URL");

        context.clear();
        new Select(browser.byId("f-state")).selectByValue("failed");
        browser.await("only failed jobs are listed", d -> browser.rowIds().contains(String.valueOf(b1))
                && browser.rowStates().stream().allMatch("failed"::equals));

        new Select(browser.byId("f-state")).selectByValue("all");
        browser.byId("f-q").sendKeys("#" + a2);
        browser.await("the search finds the job by its id", d -> browser.rowIds().equals(List.of(String.valueOf(a2))));
        browser.byId("f-q").clear();
        browser.byId("f-q").sendKeys("no-such-job-" + RUN);
        browser.await("an empty result says so", d -> browser.rowIds().isEmpty() && browser.byId("empty").isDisplayed());
    }

    @Test
    @Order(3)
    void theJobPageShowsProgressLiveAndThenTheOutput() {
        long id = api.add(job("progress-" + RUN, "/block"));
        api.awaitJob(id, j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        openJob(id);
        browser.await("the job page shows the running job", d -> "working".equals(jobState()));

        Api.Answer progress = api.postJson("/jobs/" + id + "/progress", "{\"percent\":40,\"message\":\"halfway there\"}");
        assertEquals(200, progress.status(), progress.body());
        browser.await("the progress bar follows", d -> browser.byId("progress-label").getText().equals("40% — halfway there")
                && browser.byId("progress-fill").getAttribute("style").contains("40%"));
        assertEquals("40", browser.driver.findElement(By.cssSelector("#progress .bar")).getAttribute("aria-valuenow"));

        target.gate.release();
        browser.await("the job finishes on the page", d -> "done".equals(jobState()));
        browser.await("its output is shown", d -> browser.byId("job-output").getText().contains("\"path\":\"/block\""));
        assertTrue(facts().contains("RETURN CODE\n200") || facts().contains("Return code\n200"), facts());
        assertTrue(browser.byId("timeline").getText().contains("Attempt 1 done"), browser.byId("timeline").getText());
    }

    @Test
    @Order(3)
    void theJobPageShowsItsUniqueKeyAndTheDuplicatesItAbsorbed() {
        String body = "{\"context\":\"unique-" + RUN + "\",\"delay\":3600,\"unique\":{\"key\":\"dash-" + RUN
                + "\"},\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/ok") + "\"}}";
        long id = api.add(body);
        assertEquals(id, api.add(body));
        assertEquals(id, api.add(body));
        openJob(id);
        browser.await("the unique key and its duplicates are shown", d -> facts().contains("dash-" + RUN
                + " (2 duplicates absorbed)"));
        assertEquals(204, api.send(java.net.http.HttpRequest.newBuilder(api.uri("/jobs/" + id)).DELETE()).status());
    }

    @Test
    @Order(4)
    void theJobPageKeepsEachLabelWithItsValueAtEveryWidth() {
        long id = api.add(job("grid-" + RUN, "/ok"));
        api.awaitFinal(id);
        try {
            for (int width : new int[] {1400, 1200, 1000, 800, 600, 390}) {
                browser.driver.manage().window().setSize(new Dimension(width, 900));
                openJob(id);
                browser.await("the facts are shown", d -> facts().contains("Return code") || facts().contains("RETURN CODE"));
                @SuppressWarnings("unchecked")
                List<String> split = (List<String>) browser.js("""
                        return [...document.querySelectorAll('#job-facts dt')].flatMap(dt => {
                          const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
                          const sameRow = Math.abs(a.top - b.top) < 4 && b.left >= a.right;
                          const above = b.top >= a.bottom - 1 && b.top - a.bottom < 12 && Math.abs(a.left - b.left) < 2;
                          return sameRow || above ? [] : [dt.textContent + ' ' + JSON.stringify([a.left, a.top, b.left, b.top])];
                        })""");
                assertTrue(split.isEmpty(), "at " + width + " px these labels are not with their values: " + split);
            }
        } finally {
            browser.driver.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    @Test
    @Order(5)
    void cancelFromTheJobPageStopsARunningJob() {
        long id = api.add(job("cancel-" + RUN, "/block"));
        api.awaitJob(id, j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        openJob(id);
        browser.await("running", d -> "working".equals(jobState()));
        act("cancel");
        browser.await("the page shows the job cancelled", d -> "cancelled".equals(jobState()));
        assertEquals("cancelled", api.job(id).getString("state"));
        assertTrue(toast().contains("cancelled"), toast());
    }

    @Test
    @Order(6)
    void retryFromTheJobPageRunsAnotherAttemptAndRefusalsAreExplained() {
        long id = api.add(job("retry-" + RUN, "/fail?retry=" + RUN));
        api.awaitFinal(id);
        openJob(id);
        browser.await("failed", d -> "failed".equals(jobState()));
        act("retry");
        browser.await("a second attempt ran", d -> target.hits("/fail").stream()
                .filter(h -> ("retry=" + RUN).equals(h.query())).count() == 2);
        browser.await("the page shows both attempts", d -> browser.byId("timeline").getText().contains("Attempt 2 failed"));

        // the job goes away while the operator confirms: the server refuses and the page says why
        openConfirmation(By.cssSelector("#job-view [data-action='retry']"));
        assertEquals(204, api.send(HttpRequest.newBuilder(api.uri("/jobs/" + id)).DELETE()).status());
        browser.byId("confirm-ok").click();
        browser.await("the refusal is shown", d -> toast().contains("refused") && toast().contains("404"));
        assertTrue(browser.byId("toast").getAttribute("class").contains("error"));
    }

    @Test
    @Order(7)
    void deleteFromTheJobPage() {
        long id = api.add(job("delete-" + RUN, "/ok"));
        api.awaitFinal(id);
        openJob(id);
        browser.await("done", d -> "done".equals(jobState()));
        act("delete");
        browser.await("back on the list", d -> browser.byId("list-view").isDisplayed());
        assertEquals(404, api.get("/jobs/" + id).status());
        browser.await("the row is gone", d -> !browser.rowIds().contains(String.valueOf(id)));
    }

    @Test
    @Order(8)
    void runNowStreamsTheOutputIntoThePage() {
        long id = api.add("{\"context\":\"run-" + RUN + "\",\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/ok?run=" + RUN) + "\"}}");
        openJob(id);
        browser.await("scheduled", d -> "scheduled".equals(jobState()));
        act("run");
        browser.await("the output arrives", d -> browser.byId("job-output").getText().contains("\"path\":\"/ok\""));
        browser.await("the job is done", d -> "done".equals(jobState()));
        assertEquals("done", api.job(id).getString("state"));
    }

    @Test
    @Order(9)
    void retryAllFailedRetriesOnlyTheFilteredContext() {
        String context = "bulk-" + RUN;
        long a = api.add(job(context, "/fail?bulk=" + RUN));
        long b = api.add(job(context, "/fail?bulk=" + RUN));
        long other = api.add(job("other-" + RUN, "/fail?other=" + RUN));
        List.of(a, b, other).forEach(api::awaitFinal);
        browser.driver.get(api.uri("/management/#/?state=failed&context=" + context).toString());
        browser.await("the two failed jobs are listed", d -> Set.copyOf(browser.rowIds()).equals(ids(a, b)));
        confirmAfterClicking(By.id("retry-all"));
        browser.await("the answer is shown", d -> toast().contains("2 failed jobs queued again"));
        api.awaitJob(a, j -> j.getInt("attempt") == 2 && j.getString("state").equals("failed"), Duration.ofSeconds(20));
        api.awaitJob(b, j -> j.getInt("attempt") == 2 && j.getString("state").equals("failed"), Duration.ofSeconds(20));
        assertEquals(1, api.job(other).getInt("attempt"), "the other context was not retried");
    }

    @Test
    @Order(10)
    void theSubmitFormNamesTheRefusedFieldAndThenSubmits() {
        openDashboard();
        browser.byId("new-job").click();
        WebElement form = browser.byId("submit-form");
        form.findElement(By.name("context")).clear();
        form.findElement(By.name("context")).sendKeys("form-" + RUN);
        form.findElement(By.name("url")).sendKeys("ftp://example.org/x");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("the refusal names the field", d -> browser.byId("submit-error").getText().contains("command.url"));
        assertEquals("true", form.findElement(By.name("url")).getAttribute("aria-invalid"));

        form.findElement(By.name("url")).clear();
        form.findElement(By.name("url")).sendKeys(target.url("/ok?form=" + RUN));
        form.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await("submitted", d -> toast().matches("Job #\\d+ submitted\\."));
        long id = Long.parseLong(toast().replaceAll("\\D", ""));
        browser.await("the new job is listed", d -> browser.rowIds().contains(String.valueOf(id)));
        assertEquals("form-" + RUN, api.awaitFinal(id).getString("context"));
        assertTrue(target.hits("/ok").stream().anyMatch(h -> ("form=" + RUN).equals(h.query())));
    }

    @Test
    @Order(11)
    void theListApiFiltersPagesAndNamesBadParameters() {
        String context = "page-" + RUN;
        long first = api.add(job(context, "/ok"));
        long second = api.add(job(context, "/ok"));
        long third = api.add(job(context, "/ok"));
        JsonObject page1 = api.get("/jobs?context=" + context + "&limit=2").object();
        assertEquals(List.of(third, second), idsOf(page1.getJsonArray("jobs")));
        assertEquals(second, page1.getJsonNumber("next_cursor").longValue());
        JsonObject page2 = api.get("/jobs?context=" + context + "&limit=2&cursor=" + second).object();
        assertEquals(List.of(first), idsOf(page2.getJsonArray("jobs")));
        assertTrue(page2.isNull("next_cursor"));
        assertFalse(page1.getJsonArray("jobs").getJsonObject(0).containsKey("output"), "the list leaves out the output");

        long literal = api.add(job("100%_" + RUN, "/ok"));
        api.add(job("100ab" + RUN, "/ok"));
        JsonObject percent = api.get("/jobs?q=" + URLEncoder.encode("100%_" + RUN, StandardCharsets.UTF_8)).object();
        assertEquals(List.of(literal), idsOf(percent.getJsonArray("jobs")), "% and _ are searched literally");

        long secret = api.add("{\"context\":\"s-" + RUN + "\",\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/ok?access_token=tok-" + RUN) + "\",\"headers\":{\"Authorization\":\"Bearer sec-" + RUN
                + "\"}}}");
        for (String q : new String[] {"sec-" + RUN, "Bearer", "tok-" + RUN}) {
            assertTrue(api.get("/jobs?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8)).object().getJsonArray("jobs")
                    .isEmpty(), "the search never reads secret values: " + q);
        }
        JsonObject byId = api.get("/jobs?q=%23" + secret).object();
        assertEquals(List.of(secret), idsOf(byId.getJsonArray("jobs")));
        String listedUrl = byId.getJsonArray("jobs").getJsonObject(0).getJsonObject("command").getString("url");
        assertFalse(listedUrl.contains("tok-" + RUN), "the listed url is masked: " + listedUrl);

        for (String[] bad : new String[][]{{"state=bogus", "state"}, {"limit=0", "limit"}, {"limit=x", "limit"},
                {"cursor=-1", "cursor"}, {"q=" + "x".repeat(201), "q"}, {"context=" + "c".repeat(101), "context"}}) {
            Api.Answer answer = api.get("/jobs?" + bad[0]);
            assertEquals(400, answer.status(), bad[0]);
            assertTrue(answer.contentType().startsWith("application/problem+json"), answer.contentType());
            assertEquals(bad[1], answer.object().getString("field"), answer.body());
        }
    }

    @Test
    @Order(12)
    void onAPhoneTheDashboardFitsAndTheKeyboardReachesTheJobs() {
        try {
            browser.driver.manage().window().setSize(new Dimension(390, 844));
            openDashboard();
            browser.await("rows are listed", d -> !browser.rowIds().isEmpty());
            long overflow = (Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
            assertTrue(overflow <= 0, "no sideways scrolling on a phone: " + overflow + " px too wide");
            browser.screenshot("dashboard-phone");

            new Actions(browser.driver).sendKeys("/").perform();
            assertEquals("f-q", browser.driver.switchTo().activeElement().getAttribute("id"), "/ focuses the search");
            String firstId = browser.rowIds().get(0);
            browser.driver.findElement(By.cssSelector("#job-rows tr[data-id='" + firstId + "'] a")).sendKeys(Keys.ENTER);
            browser.await("Enter on a row's link opens the job", d -> browser.byId("job-view").isDisplayed()
                    && browser.byId("job-title").getText().equals("Job #" + firstId));
        } finally {
            browser.driver.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    @Test
    @Order(13)
    void theQueuesPageSetsPausesChangesAndDeletesALimit() {
        String key = "q-" + RUN;
        List<Long> jobs = new ArrayList<>();
        try {
            openDashboard();
            browser.byId("nav-queues").click();
            browser.await("the Queues page", d -> browser.byId("queues-view").isDisplayed()
                    && browser.driver.getCurrentUrl().endsWith("#/queues"));
            limitField("key").sendKeys(key);
            limitField("concurrency").sendKeys("1");
            limitField("rate").sendKeys("100/s, 10000/h");
            saveLimit();
            browser.await("the limit is saved", d -> toast().contains("saved"));
            browser.await("and listed", d -> "100/s, 10000/h".equals(limitCell(key, "rate")));
            assertEquals(1, api.get("/limits/" + key).object().getInt("concurrency"));
            try {
                browser.driver.manage().window().setSize(new Dimension(390, 844));
                long overflow = (Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
                assertTrue(overflow <= 0, "the Queues page fits a phone: " + overflow + " px too wide: " + browser.js(
                        "return [...document.querySelectorAll('#queues-view *')].filter(e => e.getBoundingClientRect().right > innerWidth)"
                        + ".slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))"));
            } finally {
                browser.driver.manage().window().setSize(new Dimension(1280, 1000));
            }

            for (int i = 0; i < 3; i++) {
                jobs.add(api.add(job(key, "/block")));
            }
            browser.await("its counts: one running of 1, two waiting", d -> "1 / 1".equals(limitCell(key, "running"))
                    && "2".equals(limitCell(key, "waiting")));
            browser.await("it is shown throttled", d -> throttledKeys().contains(key)
                    && "true".equals(limitRowAttribute(key, "data-throttled")));

            clickInRow(key, "pause");
            browser.await("paused", d -> "true".equals(limitRowAttribute(key, "data-paused")));
            assertTrue(api.get("/limits/" + key).object().getBoolean("paused"));
            clickInRow(key, "resume");
            browser.await("resumed", d -> "false".equals(limitRowAttribute(key, "data-paused")));
            assertFalse(api.get("/limits/" + key).object().getBoolean("paused"));

            clickInRow(key, "edit");
            assertEquals("1", limitField("concurrency").getDomProperty("value"), "the form holds the rule");
            assertEquals("100/s, 10000/h", limitField("rate").getDomProperty("value"));
            limitField("concurrency").clear();
            limitField("concurrency").sendKeys("2");
            saveLimit();
            browser.await("two run at once now", d -> "2 / 2".equals(limitCell(key, "running"))
                    && "1".equals(limitCell(key, "waiting")));
            assertEquals(2, api.get("/limits/" + key).object().getInt("concurrency"));

            clickInRow(key, "edit");
            limitField("rate").clear();
            limitField("rate").sendKeys("abc");
            saveLimit();
            browser.await("the refusal is shown next to the rate", d -> !browser.byId("lf-rate-error").getText().isBlank());
            assertEquals("true", limitField("rate").getAttribute("aria-invalid"));
            assertEquals("[\"100/s\",\"10000/h\"]", api.get("/limits/" + key).object().getJsonArray("rate").toString(),
                    "the refused change changed nothing");

            confirmAfterClicking(By.cssSelector("#limit-rows tr[data-key='" + key + "'] button[data-act='delete']"));
            browser.await("the limit is gone", d -> limitCell(key, "rate") == null);
            assertEquals(404, api.get("/limits/" + key).status());

            confirmAfterClicking(By.id("queue-pause"));
            browser.await("the whole queue is paused", d -> "true".equals(browser.byId("queues-view").getAttribute("data-queue-paused")));
            assertTrue(api.get("/limits").object().getBoolean("queue_paused"));
            browser.byId("queue-resume").click();
            browser.await("and running again", d -> "false".equals(browser.byId("queues-view").getAttribute("data-queue-paused")));
            assertFalse(api.get("/limits").object().getBoolean("queue_paused"));
        } finally {
            api.send(HttpRequest.newBuilder(api.uri("/limits/" + key)).DELETE());
            api.post("/limits/*/resume", null, "");
            target.gate.release(jobs.size());
            jobs.forEach(api::awaitFinal);
        }
    }

    /** Not a check: the pictures of the README (docs/screenshots), taken after the other tests filled the queue. */
    @Test
    @Order(14)
    void screenshotsOfTheDashboardAJobPageAndTheQueues() throws IOException {
        Map<String, String> limits = Map.of("mailing", "{\"concurrency\":1,\"rate\":\"10/s\",\"burst\":20}",
                "tenant-*", "{\"concurrency\":5,\"max_backlog\":10000}",
                "host:api.example.com", "{\"rate\":[\"10/s\",\"1000/h\"]}", "reports", "{\"weight\":2}");
        limits.forEach((key, rule) -> assertEquals(200, api.send(HttpRequest.newBuilder(limitUri(key))
                .PUT(HttpRequest.BodyPublishers.ofString(rule)), "Content-Type", "application/json").status(), key));
        try {
            screenshotsOfABusyQueue();
        } finally {
            limits.keySet().forEach(key -> api.send(HttpRequest.newBuilder(limitUri(key)).DELETE()));
        }
    }

    private void screenshotsOfABusyQueue() throws IOException {
        for (int i = 0; i < 6; i++) {
            api.add(job(i % 2 == 0 ? "mailing" : "reports", "/hold?ms=" + (200 + 150 * i)));
        }
        api.add("{\"context\":\"nightly-export\",\"delay\":600,\"command\":{\"type\":\"http\",\"url\":\""
                + target.url("/export?token=s3cr3t") + "\"}}");
        long running = api.add("{\"context\":\"mailing\",\"priority\":800,\"command\":{\"type\":\"http\",\"method\":\"POST\","
                + "\"url\":\"" + target.url("/block?mailing=1234") + "\",\"headers\":{\"Authorization\":\"Bearer abc.def.ghi\"},"
                + "\"json\":{\"mailing\":1234}},\"callback_done\":{\"type\":\"http\",\"url\":\"" + target.url("/done") + "\"}}");
        api.awaitJob(running, j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        api.postJson("/jobs/" + running + "/progress", "{\"percent\":65,\"message\":\"sent 6,500 of 10,000 mails\"}");
        openDashboard();
        browser.await("the running job is listed", d -> "working".equals(browser.rowState(running)));
        browser.screenshot("dashboard");
        openJob(running);
        browser.await("progress shown", d -> browser.byId("progress-label").getText().startsWith("65%"));
        assertFalse(browser.byId("job-payload").getText().contains("abc.def.ghi"), "the Authorization header is masked");
        assertTrue(browser.byId("job-payload").getText().contains("•••"));
        browser.screenshot("job");
        browser.driver.get(api.uri("/management/#/queues").toString());
        browser.await("mailing is at its limit", d -> "1 / 1".equals(limitCell("mailing", "running")));
        browser.screenshot("queues");
        target.gate.release();
        api.awaitFinal(running);
        for (String picture : List.of("dashboard", "job", "queues")) {
            assertTrue(Files.size(Browser.SCREENSHOTS.resolve(picture + ".png")) > 10_000, picture);
        }
    }

    /** The list filtered to failed jobs offers a redrive of them, shows its progress and stops it. */
    @Test
    @Order(15)
    void theFailedJobsOfAFilteredListAreRedrivenAndTheRedriveCanBeStopped() {
        String context = "redrive-" + RUN;
        java.util.concurrent.atomic.AtomicBoolean healed = new java.util.concurrent.atomic.AtomicBoolean();
        target.scripts.put("/dash-redrive", n -> RecordingTarget.Scripted.of(healed.get() ? 200 : 404));
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            jobs.add(api.add(job(context, "/dash-redrive")));
        }
        jobs.forEach(api::awaitFinal);
        healed.set(true);
        browser.driver.get(api.uri("/management/#/?state=failed&context=" + context).toString());
        browser.await("the failed jobs are listed", d -> browser.rowIds().size() == 12);
        browser.await("the list offers a redrive", d -> browser.byId("redrive").isDisplayed());

        browser.byId("redrive").click();
        redriveRate("fast");
        browser.await("a bad rate is refused next to its field", d -> !browser.byId("rd-rate-error").getText().isBlank());
        assertEquals("true", redriveField("rate").getAttribute("aria-invalid"));
        redriveRate("1/s");
        browser.await("the redrive runs and shows its progress", d -> "running".equals(redriveState()));
        assertTrue(browser.byId("redrive-text").getText().contains(" of 12 redriven"), browser.byId("redrive-text").getText());
        long id = Long.parseLong(browser.byId("redrive-status").getAttribute("data-id"));
        browser.await("the progress follows", d -> browser.byId("redrive-text").getText().matches(".*: [1-9]\\d* of 12.*"));
        confirmAfterClicking(By.id("redrive-stop"));
        browser.await("the redrive is stopped", d -> "cancelled".equals(redriveState()));
        JsonObject stopped = api.get("/redrives/" + id).object();
        assertEquals("cancelled", stopped.getString("state"));
        int first = stopped.getInt("redriven");
        assertTrue(first >= 1 && first < 12, "a few redriven at 1/s before the stop: " + stopped);

        browser.byId("redrive").click();
        redriveRate("100/s");
        browser.await("the second redrive takes the rest", d -> "done".equals(redriveState()) && browser.byId("redrive-text")
                .getText().contains((12 - first) + " of " + (12 - first) + " redriven"));
        jobs.forEach(job -> api.awaitJob(job, j -> j.getString("state").equals("done"), Duration.ofSeconds(30)));
    }

    private WebElement redriveField(String name) {
        return browser.byId("redrive-form").findElement(By.name(name));
    }

    private void redriveRate(String rate) {
        redriveField("rate").clear();
        redriveField("rate").sendKeys(rate);
        browser.byId("redrive-form").findElement(By.cssSelector("button[type=submit]")).click();
    }

    private String redriveState() {
        WebElement status = browser.byId("redrive-status");
        return status.isDisplayed() ? status.getAttribute("data-state") : null;
    }

    @Test
    @Order(16)
    void theBatchListPagesNewestFirstAndJobsNameTheirBatch() {
        String context = "bl-" + RUN;
        List<Long> batches = new ArrayList<>();
        List<Long> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonObject created = api.postJson("/batches", "{\"context\":\"" + context + "\",\"jobs\":["
                    + job(context, "/ok?batch=" + i) + "]}").object();
            batches.add(created.getJsonNumber("id").longValue());
            jobs.add(created.getJsonArray("jobs").getJsonNumber(0).longValue());
        }
        JsonObject page1 = api.get("/batches?limit=2").object();
        assertEquals(List.of(batches.get(2), batches.get(1)), idsOf(page1.getJsonArray("batches")), "newest first");
        assertEquals(batches.get(1), page1.getJsonNumber("next_cursor").longValue());
        JsonObject page2 = api.get("/batches?limit=2&cursor=" + batches.get(1)).object();
        assertEquals(batches.get(0), idsOf(page2.getJsonArray("batches")).get(0));
        JsonObject listed = page1.getJsonArray("batches").getJsonObject(0);
        assertEquals(Set.of("id", "kind", "context", "open", "total", "settled", "done", "failed", "states", "progress",
                "created_at", "closed_at", "success_at", "complete_at", "failure_at"), listed.keySet(),
                "the summary of GET /batches/{id}, without callbacks and graph");
        assertEquals("batch", listed.getString("kind"));
        assertEquals(context, listed.getString("context"));
        assertEquals(1, listed.getInt("total"));

        api.awaitFinal(jobs.get(0));
        JsonObject job = api.job(jobs.get(0));
        assertEquals(batches.get(0), job.getJsonNumber("batch_id").longValue(), "the job names its batch");
        JsonObject ofBatch = api.get("/jobs?batch=" + batches.get(0)).object();
        assertEquals(List.of(jobs.get(0)), idsOf(ofBatch.getJsonArray("jobs")), "the job list filtered by batch");
        assertEquals(batches.get(0), ofBatch.getJsonArray("jobs").getJsonObject(0).getJsonNumber("batch_id").longValue());
        assertTrue(api.get("/jobs?batch=" + batches.get(0) + "&state=failed").object().getJsonArray("jobs").isEmpty());
        long plain = api.add(job(context, "/ok"));
        assertTrue(api.job(plain).isNull("batch_id"), "a job of no batch");

        for (String[] bad : new String[][]{{"/batches?limit=0", "limit"}, {"/batches?limit=201", "limit"},
                {"/batches?cursor=x", "cursor"}, {"/jobs?batch=x", "batch"}, {"/jobs?batch=0", "batch"}}) {
            Api.Answer answer = api.get(bad[0]);
            assertEquals(400, answer.status(), bad[0]);
            assertEquals(bad[1], answer.object().getString("field"), answer.body());
        }
    }

    @Test
    @Order(17)
    void theBatchesPageListsABatchWhoseProgressReachesAHundredPercentLive() {
        openDashboard();
        browser.byId("nav-batches").click();
        browser.await("the Batches page", d -> browser.byId("batches-view").isDisplayed()
                && browser.driver.getCurrentUrl().endsWith("#/batches"));
        browser.js("window.notReloaded = true");
        String context = "live-batch-" + RUN;
        JsonObject created = api.postJson("/batches", "{\"context\":\"" + context + "\",\"jobs\":[" + job(context, "/ok")
                + "," + job(context, "/block")
                + "," + job(context, "/block") + "," + job(context, "/block") + "],\"on_complete\":{\"type\":\"http\","
                + "\"url\":\"" + target.url("/batch-complete?run=" + RUN) + "\"}}").object();
        long id = created.getJsonNumber("id").longValue();
        browser.await("the new batch is listed with the job that ended", d -> "25".equals(batchRow(id, "progress")));
        assertEquals(context, batchCell(id, "ctx"));
        assertEquals("1 done of 4", batchCell(id, "counts"));

        target.gate.release(3);
        browser.await("its progress reaches 100 % without a reload", d -> "100".equals(batchRow(id, "progress")));
        assertEquals("100", browser.js("return document.querySelector(\"#batch-rows tr[data-batch='\" + arguments[0]"
                + " + \"'] [role=progressbar]\").getAttribute('aria-valuenow')", String.valueOf(id)));
        browser.await("and completes", d -> browser.js("return document.querySelector(\"#batch-rows tr[data-batch='\""
                + " + arguments[0] + \"'] td.completed time\") !== null", String.valueOf(id)).equals(Boolean.TRUE));
        assertEquals("4 done of 4", batchCell(id, "counts"));
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded === true"), "the page was not reloaded");

        browser.driver.findElement(By.cssSelector("#batch-rows tr[data-batch='" + id + "'] a")).sendKeys(Keys.ENTER);
        browser.await("Enter on the batch's link opens its page", d -> browser.byId("batch-view").isDisplayed()
                && browser.byId("batch-title").getText().equals("Batch #" + id));
        browser.await("its counts per state", d -> "4".equals(browser.js("const b = document.querySelector("
                + "\"#batch-states button[data-state='done'] .n\"); return b ? b.textContent : null")));
        assertEquals(1L, browser.js("return document.querySelectorAll('#batch-states button').length"), "only done");
        assertEquals("100", browser.driver.findElement(By.cssSelector("#batch-progress .bar")).getAttribute("aria-valuenow"));
        browser.await("its on_complete callback, delivered", d -> "delivered".equals(browser.js(
                "const r = document.querySelector(\"#batch-callbacks tr[data-kind='batch_complete']\");"
                        + " return r ? r.dataset.state : null")));
        assertEquals(1, target.hits("/batch-complete").stream().filter(h -> ("run=" + RUN).equals(h.query())).count());
        Set<String> jobIds = created.getJsonArray("jobs").stream()
                .map(j -> j.toString()).collect(Collectors.toSet());
        browser.await("its jobs are listed below", d -> Set.copyOf(browser.rowIds()).equals(jobIds));
        assertTrue(browser.driver.findElement(By.cssSelector("#graph-section")).getAttribute("hidden") != null,
                "a batch has no graph");
    }

    /**
     * extract -> (transform-a, transform-b, validate); (transform-a, transform-b) -> load; validate -> report (fails
     * with it), notify (skipped), cleanup (runs anyway). validate fails, transform-b waits at the gate: every state.
     */
    @Test
    @Order(18)
    void aWorkflowPageDrawsItsGraphColouredByStateAndANodeOpensItsJob() {
        target.scripts.put("/wf-validate", n -> RecordingTarget.Scripted.of(422));
        String context = "etl-" + RUN;
        String body = "{\"context\":\"" + context + "\",\"jobs\":["
                + step("extract", "/ok?step=extract") + ","
                + step("transform-a", "/ok?step=transform-a", "\"extract\"") + ","
                + step("transform-b", "/block", "\"extract\"") + ","
                + step("validate", "/wf-validate", "\"extract\"") + ","
                + step("load", "/ok?step=load", "\"transform-a\"", "\"transform-b\"") + ","
                + step("report", "/ok?step=report", "\"validate\"") + ","
                + step("notify", "/ok?step=notify", "{\"job\":\"validate\",\"on_failure\":\"skip\"}") + ","
                + step("cleanup", "/ok?step=cleanup", "{\"job\":\"validate\",\"on_failure\":\"continue\"}") + "],"
                + "\"on_failure\":{\"type\":\"http\",\"url\":\"" + target.url("/wf-alert?run=" + RUN) + "\"}}";
        Api.Answer created = api.postJson("/workflows", body);
        assertEquals(201, created.status(), created.body());
        long id = created.object().getJsonNumber("id").longValue();
        JsonObject ids = created.object().getJsonObject("jobs");
        java.util.function.ToLongFunction<String> job = name -> ids.getJsonNumber(name).longValue();
        api.awaitJob(job.applyAsLong("transform-b"), j -> j.getString("state").equals("working"), Duration.ofSeconds(20));
        for (String name : List.of("report", "notify", "cleanup")) {
            api.awaitJob(job.applyAsLong(name), j -> Set.of("done", "failed", "cancelled").contains(j.getString("state")),
                    Duration.ofSeconds(20));
        }

        browser.driver.get(api.uri("/management/#/batches/" + id).toString());
        browser.await("the workflow's page", d -> browser.byId("batch-view").isDisplayed()
                && browser.byId("batch-title").getText().equals("Workflow #" + id));
        browser.await("one node per job", d -> graphNodes().size() == 8);
        browser.js("window.notReloaded = true");
        Map<String, String> expected = Map.of("extract", "done", "transform-a", "done", "transform-b", "working",
                "validate", "failed", "load", "blocked", "report", "failed", "notify", "cancelled", "cleanup", "done");
        expected.forEach((name, state) -> assertEquals(state, api.job(job.applyAsLong(name)).getString("state"), name));
        browser.await("each node in the colour of its job's state", d -> expected.entrySet().stream().allMatch(e -> {
            Map<String, String> node = graphNode(job.applyAsLong(e.getKey()));
            return e.getValue().equals(node.get("state")) && node.get("fill").equals(node.get("stateColour"));
        }));
        assertEquals(8L, browser.js("return document.querySelectorAll('#graph path.edge').length"), "one edge per dependency");
        assertEquals(1L, browser.js("return document.querySelectorAll('#graph path.edge.on-skip').length"));
        assertEquals(1L, browser.js("return document.querySelectorAll('#graph path.edge.on-continue').length"));
        double extract = nodeX(job.applyAsLong("extract"));
        double validate = nodeX(job.applyAsLong("validate"));
        double load = nodeX(job.applyAsLong("load"));
        assertTrue(extract < validate && validate < load, "levels left to right: " + extract + " " + validate + " " + load);
        assertEquals(validate, nodeX(job.applyAsLong("transform-a")), "siblings share a level");
        assertEquals(load, nodeX(job.applyAsLong("cleanup")));
        assertEquals("Job " + job.applyAsLong("validate") + " validate: failed",
                graphNode(job.applyAsLong("validate")).get("label"), "each node is labelled");
        browser.await("its on_failure callback, delivered", d -> "delivered".equals(browser.js(
                "const r = document.querySelector(\"#batch-callbacks tr[data-kind='batch_failure']\");"
                        + " return r ? r.dataset.state : null")));
        browser.js("window.scrollTo(0, document.getElementById('batch-view').offsetTop - 70)");
        browser.screenshot("workflow");

        target.gate.release();
        browser.await("the graph follows live: load runs once transform-b is done",
                d -> "done".equals(graphNode(job.applyAsLong("load")).get("state")));
        assertEquals(Boolean.TRUE, browser.js("return window.notReloaded === true"), "the page was not reloaded");

        By failedCount = By.cssSelector("#batch-states button[data-state='failed']");
        browser.await("a click on a count lists only those jobs", d -> {
            try {
                browser.driver.findElement(failedCount).click();
            } catch (org.openqa.selenium.WebDriverException staleOrMissing) {
                return false;
            }
            return browser.driver.getCurrentUrl().endsWith("#/batches/" + id + "?state=failed");
        });
        browser.await("the failed ones", d -> Set.copyOf(browser.rowIds()).equals(ids(job.applyAsLong("validate"),
                job.applyAsLong("report"))));

        long report = job.applyAsLong("report");
        browser.driver.findElement(By.cssSelector("#graph a.node[data-id='" + report + "']")).click();
        browser.await("a click on a node opens its job", d -> browser.byId("job-view").isDisplayed()
                && browser.byId("job-title").getText().equals("Job #" + report));
        browser.await("the job names its failed dependency", d -> browser.byId("job-error").getText()
                .contains("dependency validate failed"));
        assertTrue(facts().contains("#" + id), "the job page links to its workflow: " + facts());

        browser.driver.navigate().back();
        browser.await("back on the workflow", d -> graphNodes().size() == 8);
        long cleanup = job.applyAsLong("cleanup");
        browser.driver.findElement(By.cssSelector("#graph a.node[data-id='" + cleanup + "']")).sendKeys(Keys.ENTER);
        browser.await("Enter on a focused node opens its job", d -> browser.byId("job-view").isDisplayed()
                && browser.byId("job-title").getText().equals("Job #" + cleanup));
        assertTrue(Files.exists(Browser.SCREENSHOTS.resolve("workflow.png")));
    }

    @Test
    @Order(19)
    void aLargeWorkflowDrawsItsFirstLevelsAndSaysWhatItLeavesOut() {
        String root = "the-root-of-a-rather-wide-fan-out";
        StringBuilder body = new StringBuilder("{\"context\":\"big-" + RUN + "\",\"jobs\":[{\"name\":\"" + root + "\","
                + "\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/ok") + "\"}}");
        for (int i = 0; i < 59; i++) {
            body.append(",").append(step("leaf-" + i, "/ok", "\"" + root + "\""));
        }
        long id = api.postJson("/workflows", body.append("]}").toString()).object().getJsonNumber("id").longValue();
        try {
            browser.driver.get(api.uri("/management/#/batches/" + id).toString());
            browser.await("the first 50 jobs are drawn", d -> graphNodes().size() == 50);
            browser.await("a note says what is left out", d -> browser.byId("graph-note").isDisplayed());
            assertEquals("Showing 50 of 60 jobs: the first level and 49 of the 59 jobs of level 2. The job list below"
                    + " has them all.", browser.byId("graph-note").getText());
            assertEquals("+ 10 more", browser.js("return document.querySelector('#graph .more text').textContent"));
            assertEquals(49L, browser.js("return document.querySelectorAll('#graph a.node.st-blocked').length"));
            assertEquals(1L, browser.js("return document.querySelectorAll('#graph a.node.st-scheduled').length"));
            assertEquals(Boolean.TRUE, browser.js("""
                    const a = document.querySelector('#graph a.node.st-scheduled');
                    const name = a.querySelector('text.name'), id = a.querySelector('text.id');
                    return name.textContent.endsWith('…') && name.getBBox().x + name.getBBox().width < id.getBBox().x;"""),
                    "a long name is cut before the id");
            try {
                browser.driver.manage().window().setSize(new Dimension(390, 844));
                long overflow = (Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
                assertTrue(overflow <= 0, "the graph scrolls in its frame, the page fits a phone: " + overflow + " px");
            } finally {
                browser.driver.manage().window().setSize(new Dimension(1280, 1000));
            }
        } finally {
            assertEquals(60, api.post("/workflows/" + id + "/cancel", null, "").object().getInt("cancelled"));
        }
    }

    private static String step(String name, String path, String... dependsOn) {
        return "{\"name\":\"" + name + "\",\"context\":\"etl-" + RUN + "\"," + (dependsOn.length == 0 ? "" : "\"depends_on\":[" + String.join(",", dependsOn)
                + "],") + "\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}}";
    }

    @SuppressWarnings("unchecked")
    private List<String> graphNodes() {
        return (List<String>) browser.js("return [...document.querySelectorAll('#graph a.node')].map(a => a.dataset.id)");
    }

    /** The node's state, its box's fill, the colour of the state in the stylesheet, and its label, read in one script. */
    @SuppressWarnings("unchecked")
    private Map<String, String> graphNode(long jobId) {
        return (Map<String, String>) browser.js("""
                const a = document.querySelector("#graph a.node[data-id='" + arguments[0] + "']");
                if (!a) return {};
                const probe = document.createElement('span');
                probe.style.color = 'var(--' + a.dataset.state + ')';
                document.body.append(probe);
                const colour = getComputedStyle(probe).color;
                probe.remove();
                return {state: a.dataset.state, fill: getComputedStyle(a.querySelector('rect')).fill,
                  stateColour: colour, label: a.getAttribute('aria-label')};""", String.valueOf(jobId));
    }

    private double nodeX(long jobId) {
        return ((Number) browser.js("return Number(document.querySelector(\"#graph a.node[data-id='\" + arguments[0]"
                + " + \"'] rect\").getAttribute('x'))", String.valueOf(jobId))).doubleValue();
    }

    private String batchRow(long id, String attribute) {
        return (String) browser.js("const r = document.querySelector(\"#batch-rows tr[data-batch='\" + arguments[0] + \"']\");"
                + " return r ? r.getAttribute('data-' + arguments[1]) : null", String.valueOf(id), attribute);
    }

    private String batchCell(long id, String cell) {
        return (String) browser.js("const r = document.querySelector(\"#batch-rows tr[data-batch='\" + arguments[0] + \"']\");"
                + " return r ? r.querySelector('td.' + arguments[1]).textContent : null", String.valueOf(id), cell);
    }

    private URI limitUri(String key) {
        return api.uri("/limits/" + URLEncoder.encode(key, StandardCharsets.UTF_8));
    }

    private void openDashboard() {
        browser.driver.get(api.uri("/management/").toString());
        browser.await("the event stream is connected", d -> "live".equals(browser.byId("live").getAttribute("data-state")));
        browser.await("the counters are loaded", d -> browser.counter("done") >= 0);
    }

    private void openJob(long id) {
        browser.driver.get(api.uri("/management/#/jobs/" + id).toString());
        browser.await("the job page of " + id, d -> browser.byId("job-view").isDisplayed()
                && browser.byId("job-title").getText().equals("Job #" + id) && jobState() != null);
    }

    private String jobState() {
        String state = browser.byId("job-view").getAttribute("data-state");
        return state == null || state.isEmpty() ? null : state;
    }

    private void act(String action) {
        confirmAfterClicking(By.cssSelector("#job-view [data-action='" + action + "']"));
    }

    private void confirmAfterClicking(By button) {
        openConfirmation(button);
        browser.byId("confirm-ok").click();
    }

    /** Clicks the action until its confirmation opens: a live re-render of the page can swallow a click. */
    private void openConfirmation(By action) {
        browser.await("the confirmation of " + action + " opens", d -> {
            if (browser.byId("confirm").getAttribute("open") == null) {
                try {
                    WebElement button = browser.driver.findElement(action);
                    if (button.isEnabled()) {
                        button.click();
                    }
                } catch (org.openqa.selenium.WebDriverException staleOrCovered) {
                    return false;
                }
            }
            return browser.byId("confirm").getAttribute("open") != null;
        });
    }

    private WebElement limitField(String name) {
        return browser.byId("limit-form").findElement(By.name(name));
    }

    private void saveLimit() {
        browser.byId("limit-form").findElement(By.cssSelector("button[type=submit]")).click();
    }

    /** Read in one script: the page replaces the rows whenever the counts change. */
    private String limitCell(String key, String cell) {
        return (String) browser.js("const r = document.querySelector(\"#limit-rows tr[data-key='\" + arguments[0] + \"']\");"
                + " return r ? r.querySelector('td.' + arguments[1]).textContent : null", key, cell);
    }

    private String limitRowAttribute(String key, String name) {
        return (String) browser.js("const r = document.querySelector(\"#limit-rows tr[data-key='\" + arguments[0] + \"']\");"
                + " return r ? r.getAttribute(arguments[1]) : null", key, name);
    }

    @SuppressWarnings("unchecked")
    private List<String> throttledKeys() {
        return (List<String>) browser.js("return [...document.querySelectorAll('#throttled [data-key]')].map(c => c.dataset.key)");
    }

    /** Clicks until the click lands: a re-render between finding the button and clicking it replaces the button. */
    private void clickInRow(String key, String action) {
        By button = By.cssSelector("#limit-rows tr[data-key='" + key + "'] button[data-act='" + action + "']");
        browser.await("a click on " + action + " of " + key, d -> {
            try {
                browser.driver.findElement(button).click();
                return true;
            } catch (org.openqa.selenium.WebDriverException staleOrMissing) {
                return false;
            }
        });
    }

    private String toast() {
        WebElement toast = browser.byId("toast");
        return toast.isDisplayed() ? toast.getText() : "";
    }

    private String facts() {
        return browser.byId("job-facts").getText();
    }

    private String job(String context, String path) {
        return "{\"context\":\"" + context + "\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path) + "\"}}";
    }

    private static Set<String> ids(long... ids) {
        return java.util.Arrays.stream(ids).mapToObj(String::valueOf).collect(Collectors.toSet());
    }

    private static List<Long> idsOf(JsonArray jobs) {
        return jobs.stream().map(j -> j.asJsonObject().getJsonNumber("id").longValue()).toList();
    }
}
