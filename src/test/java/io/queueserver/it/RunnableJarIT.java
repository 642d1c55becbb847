package io.queueserver.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar target/queue-server.jar} as README "The runnable jar" shows it: a plain JVM, configured by the
 * environment alone, on the embedded database by default and on MariaDB with {@code QUEUE_DB_URL}.
 */
class RunnableJarIT {
    static final File JAR = new File("target/queue-server.jar");

    @Test
    void startsOnTheEmbeddedDatabaseRunsAJobAndStops() throws Exception {
        Path data = Path.of("target", "it-runnable-jar-data");
        deleteTree(data);
        try (Server server = Server.start("embedded", Map.of("QUEUE_DATA_DIR", data.toAbsolutePath().toString()))) {
            runsAJobWithACallback(server.api);
            server.stop();
        }
        assertTrue(Files.size(data.resolve("queue.mv.db")) > 0, "the embedded database is a file in QUEUE_DATA_DIR");
    }

    @Test
    void usesMariaDbWhenQueueDbUrlIsSet() throws Exception {
        ScratchDatabase db = ScratchDatabase.create("runnable_jar");
        try (Server server = Server.start("mariadb", Map.of("QUEUE_DB_URL", db.url(),
                "QUEUE_DB_USER", System.getProperty("it.db.user"),
                "QUEUE_DB_PASSWORD", System.getProperty("it.db.password", ""), "QUEUE_MAX_THREADS", "3"))) {
            runsAJobWithACallback(server.api);
            assertEquals(1L, (long) db.query("SELECT COUNT(*) FROM queue_job", row -> row.getLong(1)));
            assertEquals(3, server.api.get("/jobs/status").data().getInt("max_threads"), "QUEUE_MAX_THREADS is read");
            server.stop();
        } finally {
            db.drop();
        }
    }

    private static void runsAJobWithACallback(Api api) throws IOException {
        try (RecordingTarget target = new RecordingTarget()) {
            long id = api.add("{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/jar?id=__JOBID__") + "\"},"
                    + "\"callback_done\":{\"type\":\"http\",\"url\":\"" + target.url("/jar-done") + "\",\"method\":\"POST\"}}");
            JsonObject job = api.awaitFinal(id);
            assertEquals(3, job.getInt("worker_status"), job.toString());
            assertEquals("id=" + id, target.awaitHit("/jar", 1_000).query());
            assertEquals("done", Json.createReader(new StringReader(target.awaitHit("/jar-done", 10_000).body()))
                    .readObject().getString("state"));
        }
    }

    /** The jar in a JVM of its own; its output goes to target/runnable-jar-NAME.log. */
    private record Server(Process process, Api api, Path log, Path tmp) implements AutoCloseable {
        static Server start(String name, Map<String, String> env) throws IOException {
            assertTrue(JAR.isFile(), JAR + " is built by mvn package");
            int port = ClusterNodes.freePort();
            Path log = Path.of("target", "runnable-jar-" + name + ".log");
            Path tmp = Files.createDirectories(Path.of("target", "runnable-jar-tmp-" + name)).toAbsolutePath();
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-Djava.io.tmpdir=" + tmp, "-jar", JAR.getAbsolutePath())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("QUEUE_"));
            pb.environment().putAll(env);
            pb.environment().put("QUEUE_PORT", Integer.toString(port));
            Server server = new Server(pb.start(), new Api(URI.create("http://127.0.0.1:" + port + "/"), null), log, tmp);
            server.awaitUp(Duration.ofMinutes(3));
            return server;
        }

        void awaitUp(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                assertTrue(process.isAlive(), "the jar exited; see " + log);
                try {
                    Api.Answer root = api.get("/");
                    if (root.status() == 200 && root.body().contains("\"running\"")) {
                        return;
                    }
                } catch (AssertionError notListeningYet) {
                    // connection refused until Payara Micro listens
                }
                Api.sleep(500);
            }
            throw new AssertionError("the jar did not answer in " + timeout + "; see " + log);
        }

        /** SIGTERM, as systemd stops it: the JVM shuts down and removes its unpacked configuration. */
        void stop() throws Exception {
            process.destroy();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "stopped within a minute");
            try (Stream<Path> left = Files.list(tmp)) {
                assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith("queue-server-config-")),
                        "the configuration unpacked at start is removed at exit");
            }
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
