package io.queueserver.workers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A real local HTTP server for worker tests; records every request it receives. */
final class TargetServer implements AutoCloseable {
    /** {@code clientPort}: the connection it came on. */
    record Request(String method, String uri, String body, com.sun.net.httpserver.Headers headers, int clientPort) {
    }

    final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();

    TargetServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().toString(), body, ex.getRequestHeaders(),
                ex.getRemoteAddress().getPort()));
        String path = ex.getRequestURI().getPath();
        try (ex) {
            switch (path) {
                case "/status/500" -> respond(ex, 500, "boom");
                case "/status/404" -> respond(ex, 404, "missing");
                case "/redirect" -> {
                    ex.getResponseHeaders().add("Location", "/ok");
                    respond(ex, 302, "");
                }
                case "/slow" -> {
                    sleep(3000);
                    respond(ex, 200, "late");
                }
                case "/endless" -> {
                    ex.sendResponseHeaders(200, 0);
                    OutputStream out = ex.getResponseBody();
                    byte[] chunk = "x".repeat(1024).getBytes(StandardCharsets.UTF_8);
                    for (int i = 0; i < 100_000; i++) {
                        out.write(chunk);
                        out.flush();
                        sleep(5);
                    }
                }
                case "/big" -> respond(ex, 200, "y".repeat(200_000));
                case "/redirect-to", "/redirect-307-to" -> {
                    ex.getResponseHeaders().add("Location", java.net.URLDecoder.decode(
                            ex.getRequestURI().getRawQuery().substring(2), StandardCharsets.UTF_8));
                    respond(ex, path.equals("/redirect-to") ? 302 : 307, "");
                }
                case "/headers" -> {
                    ex.getResponseHeaders().add("X-Custom", "one");
                    ex.getResponseHeaders().add("X-Custom", "two");
                    ex.getResponseHeaders().add("Set-Cookie", "session=secret-value");
                    respond(ex, 200, "with headers");
                }
                default -> respond(ex, 200, "echo " + ex.getRequestMethod() + " " + ex.getRequestURI());
            }
        } catch (IOException closedByClient) {
            // the worker cut the connection (deadline, cap): expected in some tests
        }
    }

    private static void respond(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
