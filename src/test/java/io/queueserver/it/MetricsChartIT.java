package io.queueserver.it;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/grafana-dashboard.json against this server's real /metrics: the queries of every panel are evaluated over
 * scrapes taken once a second during half a minute of jobs (done, failed, with callbacks, under a flow-control
 * rule), each must find its series, and the panels are drawn with these series in headless Chromium
 * (target/screenshots/metrics.png; the README shows it as docs/screenshots/metrics.png). Grafana itself is not
 * available on this machine.
 */
class MetricsChartIT extends DeployedServerTest {
    static final Path DASHBOARD = Path.of("docs", "grafana-dashboard.json");
    static final int SCRAPES = 15;

    @Test
    void everyPanelsQueriesFindRealSeriesAndAreDrawn() throws Exception {
        JsonObject dashboard = Json.createReader(new StringReader(Files.readString(DASHBOARD))).readObject();
        String key = "/limits/chart-mailing";
        assertEquals(200, api.send(HttpRequest.newBuilder(api.uri(key)).PUT(HttpRequest.BodyPublishers
                .ofString("{\"concurrency\":2}")), "Content-Type", "application/json").status());
        List<PromQuery.Scrape> history = new ArrayList<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = new Thread(() -> submitJobs(loading), "chart-load");
        load.start();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < SCRAPES; i++) {
                history.add(PromQuery.Scrape.parse((System.nanoTime() - start) / 1e9,
                        api.get("/metrics?scope=application").body()));
                Api.sleep(1_000);
            }
        } finally {
            loading.set(false);
            load.join();
            api.send(HttpRequest.newBuilder(api.uri(key)).DELETE());
        }

        JsonArrayBuilder panels = Json.createArrayBuilder();
        List<String> empty = new ArrayList<>();
        for (JsonValue p : dashboard.getJsonArray("panels")) {
            JsonObject panel = p.asJsonObject();
            JsonArrayBuilder series = Json.createArrayBuilder();
            for (JsonValue t : panel.getJsonArray("targets")) {
                JsonObject target = t.asJsonObject();
                Map<String, JsonArrayBuilder> lines = lines(PromQuery.parse(target.getString("expr")), history,
                        target.getString("legendFormat", ""));
                if (lines.isEmpty()) {
                    empty.add(panel.getString("title") + ": " + target.getString("expr"));
                }
                lines.forEach((name, points) -> series.add(Json.createObjectBuilder().add("name", name).add("points", points)));
            }
            panels.add(Json.createObjectBuilder().add("type", panel.getString("type")).add("title", panel.getString("title"))
                    .add("unit", panel.getJsonObject("fieldConfig").getJsonObject("defaults").getString("unit", ""))
                    .add("gridPos", panel.getJsonObject("gridPos")).add("series", series));
        }
        assertEquals(List.of(), empty, "queries of the dashboard that found no series in this server's /metrics");
        PromQuery.Scrape last = history.get(history.size() - 1);
        assertTrue(PromQuery.parse("sum(queue_jobs_finished_total{outcome=\"done\"})").eval(history, SCRAPES - 1)
                .values().iterator().next() > 0, "jobs were done during the scrapes");
        assertTrue(PromQuery.parse("sum(queue_jobs_finished_total{outcome=\"failed\"})").eval(history, SCRAPES - 1)
                .values().iterator().next() > 0, "jobs failed during the scrapes");
        assertTrue(last.samples().size() > 10, "samples of the last scrape: " + last.samples().keySet());

        try (Browser browser = Browser.open()) {
            browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1240));
            browser.driver.get(Path.of("src/test/resources/metrics-chart.html").toAbsolutePath().toUri().toString());
            browser.js("render(JSON.parse(arguments[0]))", Json.createObjectBuilder()
                    .add("title", dashboard.getString("title") + " — " + DASHBOARD)
                    .add("note", "The dashboard's queries evaluated over " + SCRAPES + " scrapes of /metrics, one a"
                            + " second, during jobs submitted by MetricsChartIT; drawn without Grafana.")
                    .add("panels", panels).build().toString());
            browser.await("the panels are drawn", d -> "true".equals(browser.js("return document.body.dataset.rendered")));
            browser.screenshot("metrics");
        }
        assertTrue(Files.size(Browser.SCREENSHOTS.resolve("metrics.png")) > 20_000);
    }

    /** The series of a query at every scrape, named by the panel's legend format ({{label}}). */
    private static Map<String, JsonArrayBuilder> lines(PromQuery query, List<PromQuery.Scrape> history, String legend) {
        Map<String, JsonArrayBuilder> lines = new TreeMap<>();
        for (int i = 0; i < history.size(); i++) {
            double t = history.get(i).seconds();
            for (var e : query.eval(history, i).entrySet()) {
                String name = legend;
                for (var label : e.getKey().entrySet()) {
                    name = name.replace("{{" + label.getKey() + "}}", label.getValue());
                }
                lines.computeIfAbsent(name.isEmpty() ? e.getKey().toString() : name, n -> Json.createArrayBuilder())
                        .add(Json.createArrayBuilder().add(t).add(e.getValue()));
            }
        }
        return lines;
    }

    /** Submits jobs until told to stop: most done after a short while, some failing, some under the rule. */
    private void submitJobs(AtomicBoolean loading) {
        int n = 0;
        while (loading.get()) {
            String path = n % 7 == 0 ? "/fail" : "/hold?ms=" + (50 + (n * 37) % 400);
            String key = n % 5 == 0 ? ",\"concurrency_key\":\"chart-mailing\"" : "";
            api.add("{\"context\":\"chart\"" + key + ",\"command\":{\"type\":\"http\",\"url\":\"" + target.url(path)
                    + "\"},\"callback_done\":{\"type\":\"http\",\"url\":\"" + target.url("/chart-done") + "\"}}");
            if (n == 100) { // a burst the workers need a few seconds for: the backlog rises and drains
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < 80; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"context\":\"chart\",\"command\":{\"type\":\"http\",\"url\":\"")
                            .append(target.url("/hold?ms=200")).append("\"}}");
                }
                api.postJson("/jobs", batch.append("]").toString());
            }
            n++;
            Api.sleep(n % 40 < 20 ? 40 : 120);
        }
    }
}
