package io.queueserver.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A small client for the server under test. It calls 127.0.0.1 (Arquillian's URL names the host's interface
 * address, and a server without API tokens serves only loopback clients) and sends the first token of
 * {@code QUEUE_API_TOKENS} when the test run configures tokens.
 */
final class Api {
    record Answer(int status, String contentType, String body, HttpResponse<String> raw) {
        JsonValue json() {
            return Json.createReader(new StringReader(body)).readValue();
        }

        JsonObject object() {
            return (JsonObject) json();
        }

        JsonObject data() {
            return object().getJsonObject("data");
        }
    }

    /**
     * HTTP/1.1, as curl and PHP speak it. The JDK's default offers HTTP/2 without TLS (h2c), over which Payara's
     * Grizzly can deadlock the thread that writes an asynchronous answer (README "Waiting for a result").
     */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String token;

    Api(URL base) {
        this(local(base), firstToken());
    }

    Api(URI base, String token) {
        this.base = URI.create(base.toString().endsWith("/") ? base.toString() : base + "/");
        this.token = token;
    }

    /** The server's URL with the host replaced by 127.0.0.1. */
    static URI local(URL base) {
        return URI.create("http://127.0.0.1:" + base.getPort() + base.getPath());
    }

    static String firstToken() {
        String tokens = System.getenv("QUEUE_API_TOKENS");
        return tokens == null || tokens.isBlank() ? null : tokens.split(",")[0].trim();
    }

    URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    Answer get(String path, String... headers) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
    }

    Answer postJson(String path, String json, String... headers) {
        return post(path, "application/json", json, headers);
    }

    Answer post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, headers);
    }

    Answer postBytes(String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b, headers);
    }

    Answer send(HttpRequest.Builder request, String... headers) {
        boolean ownAuthorization = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
            ownAuthorization |= headers[i].equalsIgnoreCase("Authorization");
        }
        if (token != null && !ownAuthorization) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
        } catch (Exception e) {
            throw new AssertionError("request failed: " + e, e);
        }
    }

    /** Submits through the original's route and returns the id. */
    long add(String json) {
        Answer a = postJson("/jobs/add", json);
        if (a.status() != 200) {
            fail("submit refused: " + a.status() + " " + a.body());
        }
        return Long.parseLong(a.object().getString("job_id"));
    }

    JsonObject job(long id) {
        return get("/jobs/" + id).object();
    }

    JsonObject awaitJob(long id, Predicate<JsonObject> condition, Duration timeout) {
        return awaitObject("/jobs/" + id, condition, timeout);
    }

    /** The object GET {@code path} answers once it meets {@code condition}, asked every 50 ms. */
    JsonObject awaitObject(String path, Predicate<JsonObject> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject answer = null;
        while (System.nanoTime() < deadline) {
            answer = get(path).object();
            if (condition.test(answer)) {
                return answer;
            }
            sleep(50);
        }
        throw new AssertionError(path + " did not reach the expected state in " + timeout + ": " + answer);
    }

    JsonObject awaitFinal(long id) {
        return awaitJob(id, j -> j.getInt("worker_status") == 3 || j.getInt("worker_status") == 99,
                Duration.ofSeconds(30));
    }

    /** The sum of an application metric's samples whose labels contain every one of {@code labels}. */
    double metric(String name, String... labels) {
        double sum = 0;
        for (String line : get("/metrics?scope=application").body().split("\n")) {
            int value = line.lastIndexOf(' ');
            if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && value > 0
                    && java.util.Arrays.stream(labels).allMatch(line::contains)) {
                sum += Double.parseDouble(line.substring(value + 1));
            }
        }
        return sum;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
