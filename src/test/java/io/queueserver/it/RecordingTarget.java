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
 * {@code /fail} (500), {@code /hold?ms=} (answers late, counting concurrent requests) and {@code /block}
 * (answers when the test releases a permit of {@link #gate}).
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
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final Semaphore gate = new Semaphore(0);
    final Map<String, Consumer<Hit>> hooks = new ConcurrentHashMap<>();

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

    private void handle(HttpExchange ex) throws IOException {
        int now = concurrent.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
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
                case "/hold" -> Api.sleep(Long.parseLong(uri.getQuery().replaceAll(".*ms=(\\d+).*", "$1")));
                case "/block" -> {
                    try {
                        gate.tryAcquire(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                default -> {
                }
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
        } finally {
            concurrent.decrementAndGet();
        }
    }

    @Override
    public void close() {
        gate.release(1000);
        server.stop(0);
    }
}
