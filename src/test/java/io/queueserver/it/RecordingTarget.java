package io.queueserver.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real HTTP server on loopback that jobs and callbacks call. It records every request, and offers
 * {@code /fail} (500), {@code /hold?ms=} (answers late, counting concurrent requests), {@code /block}
 * (answers when the test releases a permit of {@link #gate}) and {@code /trickle?ms=} (answers at once and sends
 * its body a byte at a time for that long; a request whose client went away meanwhile is kept in {@link #aborted});
 * any other path answers late with {@code ?hold_ms=}.
 */
final class RecordingTarget implements AutoCloseable {
    record Hit(String method, String path, String query, String body, Map<String, List<String>> headers, long nanos) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    final List<Hit> hits = new CopyOnWriteArrayList<>();
    /** Requests whose client closed the connection before the answer was complete; nanos: when it was noticed. */
    final List<Hit> aborted = new CopyOnWriteArrayList<>();
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final Semaphore gate = new Semaphore(0);
    final Map<String, Consumer<Hit>> hooks = new ConcurrentHashMap<>();
    /** Scripted answers by path: the n-th request (1, 2, …) to the path gets {@code script.apply(n)}. */
    final Map<String, java.util.function.IntFunction<Scripted>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** A scripted answer: its status and response headers. */
    record Scripted(int status, Map<String, String> headers) {
        static Scripted of(int status, String... headerPairs) {
            Map<String, String> h = new java.util.LinkedHashMap<>();
            for (int i = 0; i + 1 < headerPairs.length; i += 2) {
                h.put(headerPairs[i], headerPairs[i + 1]);
            }
            return new Scripted(status, h);
        }
    }
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxInFlight = new ConcurrentHashMap<>();

    RecordingTarget() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(Executors.newFixedThreadPool(64));
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Hit> hits(String path) {
        return hits.stream().filter(h -> h.path().equals(path)).toList();
    }

    Hit awaitHit(String path, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            List<Hit> found = hits(path);
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Api.sleep(20);
        }
        throw new AssertionError("no request to " + path + " within " + timeoutMillis + " ms; got " + hits);
    }

    /** The most requests to {@code path} that were in flight at once. */
    int maxConcurrent(String path) {
        AtomicInteger max = maxInFlight.get(path);
        return max == null ? 0 : max.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        AtomicInteger onPath = inFlight.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger());
        maxInFlight.computeIfAbsent(ex.getRequestURI().getPath(), p -> new AtomicInteger())
                .accumulateAndGet(onPath.incrementAndGet(), Math::max);
        try (ex) {
            URI uri = ex.getRequestURI();
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Hit hit = new Hit(ex.getRequestMethod(), uri.getPath(), uri.getRawQuery(), body,
                    Map.copyOf(ex.getRequestHeaders()), System.nanoTime());
            int status = 200;
            String answer = "{\"ok\":true,\"path\":\"" + uri.getPath() + "\"}";
            Consumer<Hit> hook = hooks.get(uri.getPath());
            try {
                if (hook != null) {
                    hook.accept(hit);
                }
            } catch (RuntimeException refused) {
                status = 503;
                answer = String.valueOf(refused.getMessage());
            } finally {
                hits.add(hit); // after the hook: a test that sees the hit also sees what its hook recorded
            }
            switch (uri.getPath()) {
                case "/fail" -> {
                    status = 500;
                    answer = "it broke";
                }
                case "/hold" -> Api.sleep(millis(uri));
                case "/block" -> {
                    try {
                        gate.tryAcquire(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case "/trickle" -> {
                    trickle(ex, hit, millis(uri));
                    return;
                }
                default -> { // any other path answers late when asked: ?hold_ms=N
                    if (uri.getQuery() != null && uri.getQuery().matches("(.*&)?hold_ms=\\d+(&.*)?")) {
                        Api.sleep(Long.parseLong(uri.getQuery().replaceAll(".*hold_ms=(\\d+).*", "$1")));
                    }
                }
            }
            var script = scripts.get(uri.getPath());
            if (script != null) {
                Scripted scripted = script.apply(calls.computeIfAbsent(uri.getPath(), p -> new AtomicInteger())
                        .incrementAndGet());
                status = scripted.status();
                scripted.headers().forEach((name, value) -> ex.getResponseHeaders().add(name, value));
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } finally {
            onPath.decrementAndGet();
            concurrent.decrementAndGet();
        }
    }

    private static long millis(URI uri) {
        return Long.parseLong(uri.getQuery().replaceAll(".*ms=(\\d+).*", "$1"));
    }

    /** A closed connection shows only when a write fails, so the body goes out in small pieces. */
    private void trickle(HttpExchange ex, Hit hit, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            ex.sendResponseHeaders(200, 0);
            while (System.nanoTime() < end) {
                ex.getResponseBody().write('.');
                ex.getResponseBody().flush();
                Api.sleep(50);
            }
        } catch (IOException closed) {
            aborted.add(new Hit(hit.method(), hit.path(), hit.query(), hit.body(), hit.headers(), System.nanoTime()));
        }
    }

    @Override
    public void close() {
        gate.release(1000);
        server.stop(0);
    }
}
