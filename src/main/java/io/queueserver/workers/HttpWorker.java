package io.queueserver.workers;

import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.core.Worker;

import io.queueserver.core.JsonFields;
import io.queueserver.security.TargetGuard;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs {@code "type": "http"} commands with the JDK's asynchronous client: a job waiting for its target holds no
 * thread. The job's {@code timeout} is a total deadline (connect, headers and body); the body is capped and the
 * response headers are kept with it. Every hop's target passes the {@link TargetGuard} before it is connected.
 */
@ApplicationScoped
public class HttpWorker implements Worker {
    private static final Logger LOG = Logger.getLogger(HttpWorker.class.getName());
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

    /** {@code host:port} of a forward proxy; without it the JVM's proxy settings are ignored. */
    @Inject
    @ConfigProperty(name = "queue.http.proxy")
    Optional<String> proxy;

    @Inject
    TargetGuard guard;

    private HttpClient client;
    /** Name resolution of the guard blocks, so it runs here rather than on the dispatcher's threads. */
    private ExecutorService resolver;
    /** Ends exchanges at their deadline; a deadline is cancelled (and forgotten) when its exchange ends first. */
    private ScheduledThreadPoolExecutor deadlines;

    public HttpWorker() {
    }

    /** For tests outside the container. */
    public HttpWorker(int defaultTimeoutSeconds, int outputCap) {
        this(defaultTimeoutSeconds, outputCap, TargetGuard.standard());
    }

    /** For tests outside the container. */
    public HttpWorker(int defaultTimeoutSeconds, int outputCap, TargetGuard guard) {
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
        this.outputCap = outputCap;
        this.connectTimeoutSeconds = 10;
        this.guard = guard;
        this.proxy = Optional.empty();
        init();
    }

    @PostConstruct
    void init() {
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            // the JDK client hands every response to CompletableFuture's default executor, which is a new thread
            // per task when the common pool has fewer than 2 threads (machines with 2 cores or fewer)
            LOG.warning("the JVM starts a new thread for every http job's response on this machine (common pool"
                    + " parallelism " + ForkJoinPool.getCommonPoolParallelism() + "); start it with"
                    + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 (README, Operations)");
        }
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(connectTimeoutSeconds))
                .followRedirects(HttpClient.Redirect.NEVER)
                // the JVM's proxy settings (http.proxyHost, a default ProxySelector) would resolve and connect
                // past the guard's check of the target's addresses
                .proxy(proxy.filter(p -> !p.isBlank()).map(HttpWorker::proxySelector)
                        .orElse(HttpClient.Builder.NO_PROXY))
                // the client's own tasks and our completions are short and never block: running them on its
                // selector thread saves two thread hand-offs per request, which cost more CPU than the request
                .executor(Runnable::run)
                .build();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "queue-http-resolver");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        resolver = pool;
        deadlines = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "queue-http-deadlines");
            t.setDaemon(true);
            return t;
        });
        deadlines.setRemoveOnCancelPolicy(true);
    }

    private static ProxySelector proxySelector(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("QUEUE_HTTP_PROXY must be host:port, not " + hostPort);
        }
        LOG.info(() -> "http jobs and callbacks go through the proxy " + hostPort
                + "; the proxy, not this server, resolves the targets' names");
        return ProxySelector.of(InetSocketAddress.createUnresolved(hostPort.substring(0, colon).trim(),
                Integer.parseInt(hostPort.substring(colon + 1).trim())));
    }

    @PreDestroy
    void stop() {
        resolver.shutdownNow();
        deadlines.shutdownNow();
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public void validate(JsonFields command) {
        HttpCommand parsed = HttpCommand.parse(command, defaultTimeoutSeconds);
        guard.checkAtSubmit(parsed.url(), command.field("url"));
    }

    @Override
    public CompletableFuture<Outcome> run(JobRun run) {
        HttpCommand command = HttpCommand.parse(new JsonFields(run.command(), "command"), defaultTimeoutSeconds);
        Exchange exchange = new Exchange(command, System.nanoTime() + command.timeout().toNanos(), run.output());
        ScheduledFuture<?> deadline = deadlines.schedule(exchange::expire, command.timeout().toMillis(),
                TimeUnit.MILLISECONDS);
        exchange.outcome.whenComplete((o, t) -> {
            deadline.cancel(false);
            exchange.abort();
        });
        exchange.send(command.target(), command.method(), 0, true);
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
        volatile java.net.http.HttpHeaders headers;
        final java.util.function.Consumer<String> listener;

        Exchange(HttpCommand command, long deadline, java.util.function.Consumer<String> listener) {
            this.command = command;
            this.deadline = deadline;
            this.listener = listener;
        }

        /** Checks the hop's target (resolving its name off the caller's thread when it has one), then connects. */
        void send(URI target, String method, int hop, boolean sameOrigin) {
            if (!guard.needsLookup(target)) {
                checked(guard.beforeConnect(target), method, hop, sameOrigin);
                return;
            }
            CompletableFuture.supplyAsync(() -> guard.beforeConnect(target), resolver).whenComplete((verdict, t) -> {
                if (t != null) {
                    outcome.complete(Outcome.of(t));
                } else {
                    checked(verdict, method, hop, sameOrigin);
                }
            });
        }

        private void checked(TargetGuard.Checked verdict, String method, int hop, boolean sameOrigin) {
            if (verdict.refused()) {
                outcome.complete(Outcome.failed(status, body == null ? null : body.text(),
                        "refused target: " + verdict.refusal()).withHeaders(ResponseHeaders.of(headers))
                        .with(new Outcome.Next(Outcome.Kind.FAIL, 0, "a refused target is not retried")));
            } else if (!outcome.isDone()) {
                try {
                    connect(verdict.connect(), method, hop, sameOrigin);
                } catch (RuntimeException e) {
                    // the client's messages may quote header values; they were checked at submit, so this is rare
                    outcome.complete(Outcome.failed("the request could not be sent: "
                            + e.getClass().getSimpleName()));
                }
            }
        }

        void connect(URI target, String method, int hop, boolean sameOrigin) {
            Duration remaining = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
            java.net.http.HttpRequest request = command.request(target, method, remaining, sameOrigin).build();
            CappedBody capped = new CappedBody(outputCap, listener);
            body = capped;
            response = client.sendAsync(request, info -> {
                status = info.statusCode();
                headers = info.headers();
                return capped;
            });
            response.whenComplete((r, t) -> {
                if (t != null) {
                    outcome.complete(Outcome.of(t));
                } else {
                    received(r, method, hop, sameOrigin);
                }
            });
            if (outcome.isDone()) {
                abort();
            }
        }

        void received(HttpResponse<String> r, String method, int hop, boolean sameOrigin) {
            int code = r.statusCode();
            var location = r.headers().firstValue("Location");
            if (command.followRedirects() && code >= 300 && code < 400 && code != 304 && location.isPresent()) {
                if (hop >= MAX_REDIRECTS) {
                    outcome.complete(Outcome.failed(code, r.body(), "more than " + MAX_REDIRECTS + " redirects")
                            .withHeaders(ResponseHeaders.of(r.headers())));
                    return;
                }
                URI next = r.uri().resolve(location.get());
                String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase();
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    outcome.complete(Outcome.failed(code, r.body(), "redirect to a non-http URL refused")
                            .withHeaders(ResponseHeaders.of(r.headers())));
                    return;
                }
                boolean keepMethod = code == 307 || code == 308;
                send(next, keepMethod ? method : (method.equals("HEAD") ? "HEAD" : "GET"), hop + 1,
                        sameOrigin && HttpCommand.sameOrigin(r.uri(), next));
                return;
            }
            String kept = ResponseHeaders.of(r.headers());
            boolean success = command.isSuccess(code);
            Outcome.Next next = command.rules().judge(code, success, r.headers());
            if (success) {
                outcome.complete(Outcome.succeeded(code, r.body()).withHeaders(kept).with(next));
            } else {
                outcome.complete(Outcome.failed(code, r.body(), "HTTP status " + code
                        + (next.why() == null ? "" : " (" + next.why() + ")")).withHeaders(kept).with(next));
            }
        }

        void expire() {
            CappedBody current = body;
            outcome.complete(Outcome.failed(status, current == null ? null : current.text(),
                    "timed out after " + command.timeout().toSeconds() + " s").withHeaders(ResponseHeaders.of(headers)));
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
