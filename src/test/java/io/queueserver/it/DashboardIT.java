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
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
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
    static final Browser browser = openBrowser();

    static Browser openBrowser() {
        try {
            return new Browser();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
    @Order(4)
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
    @Order(5)
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
    @Order(6)
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
    @Order(7)
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
    @Order(8)
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
    @Order(9)
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
    @Order(10)
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
    @Order(11)
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

    /** Not a check: the pictures of the README (docs/screenshots), taken after the other tests filled the queue. */
    @Test
    @Order(12)
    void screenshotsOfTheDashboardAndAJobPage() throws IOException {
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
        target.gate.release();
        api.awaitFinal(running);
        assertTrue(Files.size(Browser.SCREENSHOTS.resolve("dashboard.png")) > 10_000);
        assertTrue(Files.size(Browser.SCREENSHOTS.resolve("job.png")) > 10_000);
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
