package io.queueserver.workers;

import io.queueserver.jobs.JsonFields;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code "type": "http"} commands with the JDK's asynchronous client: a job waiting for its target holds no
 * thread. The job's {@code timeout} is a total deadline (connect, headers and body); the body is capped.
 */
@ApplicationScoped
public class HttpWorker implements Worker {
    private static final int MAX_REDIRECTS = 5;

    @Inject
    @ConfigProperty(name = "queue.http.timeout", defaultValue = "300")
    int defaultTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "queue.output.max.bytes", defaultValue = "65536")
    int outputCap;

    @Inject
    @ConfigProperty(name = "queue.http.connect.timeout", defaultValue = "10")
    int connectTimeoutSeconds;

    private HttpClient client;

    public HttpWorker() {
    }

    /** For tests outside the container. */
    public HttpWorker(int defaultTimeoutSeconds, int outputCap) {
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
        this.outputCap = outputCap;
        this.connectTimeoutSeconds = 10;
        init();
    }

    @PostConstruct
    void init() {
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(connectTimeoutSeconds))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public void validate(JsonFields command) {
        HttpCommand.parse(command, defaultTimeoutSeconds);
    }

    @Override
    public CompletableFuture<Outcome> run(JobRun run) {
        HttpCommand command = HttpCommand.parse(new JsonFields(run.command(), "command"), defaultTimeoutSeconds);
        Exchange exchange = new Exchange(command, System.nanoTime() + command.timeout().toNanos(), run.output());
        exchange.send(command.target(), command.method(), 0);
        CompletableFuture.delayedExecutor(command.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .execute(exchange::expire);
        exchange.outcome.whenComplete((o, t) -> exchange.abort());
        return exchange.outcome;
    }

    /** One job's request, including redirects it is allowed to follow. */
    private final class Exchange {
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        final HttpCommand command;
        final long deadline;
        volatile CappedBody body;
        volatile CompletableFuture<HttpResponse<String>> response;
        volatile Integer status;
        final java.util.function.Consumer<String> listener;

        Exchange(HttpCommand command, long deadline, java.util.function.Consumer<String> listener) {
            this.command = command;
            this.deadline = deadline;
            this.listener = listener;
        }

        void send(URI target, String method, int hop) {
            Duration remaining = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            CappedBody capped = new CappedBody(outputCap, listener);
            body = capped;
            response = client.sendAsync(command.request(target, method, remaining).build(), info -> {
                status = info.statusCode();
                return capped;
            });
            response.whenComplete((r, t) -> {
                if (t != null) {
                    outcome.complete(Outcome.of(t));
                } else {
                    received(r, method, hop);
                }
            });
            if (outcome.isDone()) {
                abort();
            }
        }

        void received(HttpResponse<String> r, String method, int hop) {
            int code = r.statusCode();
            var location = r.headers().firstValue("Location");
            if (command.followRedirects() && code >= 300 && code < 400 && code != 304 && location.isPresent()) {
                if (hop >= MAX_REDIRECTS) {
                    outcome.complete(Outcome.failed(code, r.body(), "more than " + MAX_REDIRECTS + " redirects"));
                    return;
                }
                URI next = r.uri().resolve(location.get());
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase();
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    outcome.complete(Outcome.failed(code, r.body(), "redirect to a non-http URL refused: " + next));
                    return;
                }
                boolean keepMethod = code == 307 || code == 308;
                send(next, keepMethod ? method : (method.equals("HEAD") ? "HEAD" : "GET"), hop + 1);
                return;
            }
            if (command.isSuccess(code)) {
                outcome.complete(Outcome.succeeded(code, r.body()));
            } else {
                outcome.complete(Outcome.failed(code, r.body(), "HTTP status " + code));
            }
        }

        void expire() {
            CappedBody current = body;
            outcome.complete(Outcome.failed(status, current == null ? null : current.text(),
                    "timed out after " + command.timeout().toSeconds() + " s"));
        }

        void abort() {
            CappedBody current = body;
            if (current != null) {
                current.cut();
            }
            CompletableFuture<HttpResponse<String>> pending = response;
            if (pending != null) {
                pending.cancel(true);
            }
        }
    }
}
