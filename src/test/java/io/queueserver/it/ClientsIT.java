package io.queueserver.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The client libraries and the {@code queue} command (README "Clients") as applications use them: their own test
 * suites ({@code clients/php/tests/run.php}, {@code node --test clients/js/test/*.test.js}) run as real processes
 * against a real server on MariaDB with API tokens, a callback secret and {@code /bin/echo} allowed, and must exit 0.
 * The jobs they submit call {@link #target}, which checks here what it received. PHP and Node must be installed
 * ({@code .ci/run} installs PHP); a missing one fails the build.
 */
class ClientsIT {
    private static final String ADMIN = "clients-admin-token-0123456789abcdef";
    private static final String READER = "clients-reader-token-0123456789abcdef";
    private static final String SECRET = "whsec_" + Base64.getEncoder()
            .encodeToString("clients-callback-secret-0123456789".getBytes(StandardCharsets.UTF_8));
    private static final Path CLIENTS = Path.of("clients").toAbsolutePath();

    static ScratchDatabase database;
    static RecordingTarget target;
    static ClusterNodes server;
    static ClusterNodes.Node node;

    @BeforeAll
    static void start() throws Exception {
        database = ScratchDatabase.create("clients");
        target = new RecordingTarget();
        server = ClusterNodes.standalone(database.url(), Map.of("QUEUE_API_TOKENS", ADMIN + "," + READER + ":read",
                "QUEUE_CALLBACK_SECRET", SECRET, "QUEUE_EXEC_ALLOW", "/bin/echo"), "clients");
        node = server.start(0);
        server.awaitUp(node, Duration.ofMinutes(4));
    }

    @AfterAll
    static void stop() throws Exception {
        database.dropAfter(server, target);
    }

    @Test
    void thePhpClientsTestsPass() throws Exception {
        run(List.of("php", CLIENTS.resolve("php/tests/run.php").toString()), "php-cli and php-curl");
        assertReceived("/php/submit", "php", "page=2");
    }

    @Test
    void theJavaScriptClientsAndTheQueueCommandsTestsPass() throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec", "--test-concurrency=2"));
        try (Stream<Path> files = Files.list(CLIENTS.resolve("js/test"))) {
            files.map(Path::toString).filter(f -> f.endsWith(".test.js")).sorted().forEach(command::add);
        }
        assertTrue(command.size() >= 6, "the test files of clients/js/test: " + command);
        run(command, "Node.js 20 or later");
        assertReceived("/js/submit", "js", "page=2");
        assertReceived("/cli/submit", "cli", "page=3");
    }

    /** What a client's job with every option delivered to the target: method, header, params and JSON body. */
    private static void assertReceived(String path, String client, String query) {
        RecordingTarget.Hit hit = target.awaitHit(path, 1_000);
        assertEquals("POST", hit.method());
        assertEquals(client, hit.header("X-Client"));
        if (!client.equals("cli")) {
            assertEquals(query, hit.query());
            assertEquals("{\"hello\":\"target\"}", hit.body());
            assertEquals("application/json", hit.header("Content-Type"));
        } else {
            assertEquals(query, hit.body(), "a POST sends its params as a form");
        }
        assertEquals(1, target.hits(path).size(), "the unique key kept the second submit from running again");
    }

    /** Runs a client's test suite against the server; its output goes to this test's log. */
    private static void run(List<String> command, String needs) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(CLIENTS.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of(
                "QUEUE_URL", node.base().toString().replaceAll("/$", ""),
                "QUEUE_TOKEN", ADMIN,
                "QUEUE_TEST_READ_TOKEN", READER,
                "QUEUE_TEST_TARGET", target.url(""),
                "QUEUE_TEST_CALLBACK_SECRET", SECRET));
        pb.environment().remove("QUEUE_API_TOKEN");
        Process process;
        try {
            process = pb.start();
        } catch (IOException missing) {
            fail(command.get(0) + " is needed to test the clients (" + needs + "; .ci/run installs PHP): " + missing);
            return;
        }
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    System.out.println(command.get(0) + "| " + line);
                    output.append(line).append('\n');
                }
            } catch (IOException e) {
                output.append("(output not read: ").append(e).append(")\n");
            }
        });
        reader.start();
        boolean ended = process.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        reader.join(10_000);
        assertTrue(ended, String.join(" ", command) + " did not end within 5 minutes:\n" + output);
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
        assertFalse(output.isEmpty(), "the tests said nothing");
    }
}
