package io.queueserver.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Real Payara Micro processes running the built WAR on one MariaDB database, clustered by an explicit cluster
 * name and TCP member list on loopback (no multicast).
 */
final class ClusterNodes implements AutoCloseable {
    record Node(int index, int port, Process process) {
        URI base() {
            return URI.create("http://127.0.0.1:" + port + "/");
        }
    }

    final List<Node> nodes = new ArrayList<>();
    private final String dbUrl;
    private final Map<String, String> extraEnv;
    private final String clusterName = "queue-it-" + ProcessHandle.current().pid();
    private final int gridPort = 17_000 + (int) (ProcessHandle.current().pid() % 1000) * 10;

    private final boolean clustered;

    ClusterNodes(String dbUrl, Map<String, String> extraEnv) {
        this(dbUrl, extraEnv, true);
    }

    private ClusterNodes(String dbUrl, Map<String, String> extraEnv, boolean clustered) {
        this.dbUrl = dbUrl;
        this.extraEnv = extraEnv;
        this.clustered = clustered;
    }

    /** Nodes started as a single installation is (README "Quick start"): no data grid to join. */
    static ClusterNodes standalone(String dbUrl) {
        return new ClusterNodes(dbUrl, Map.of(), false);
    }

    Node start(int index) throws IOException {
        int port = freePort();
        Path log = Path.of("target", logName(index));
        Path tmp = Files.createDirectories(Path.of("target", "cluster-tmp-" + index + (clustered ? "" : "-solo")));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-Djava.io.tmpdir=" + tmp.toAbsolutePath(),
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", // as README "Operations" recommends
                // a paused or dead member must leave the data grid quickly: Payara's config lookups may wait on it
                "-Dhazelcast.max.no.heartbeat.seconds=10", "-Dhazelcast.heartbeat.interval.seconds=2",
                "-jar", new File(System.getProperty("payara.microJar")).getAbsolutePath(),
                "--deploy", new File(System.getProperty("queue.war")).getAbsolutePath(), "--contextroot", "/",
                "--port", Integer.toString(port), "--nohostaware",
                "--addlibs", new File("target/runtime/mysql-connector-j.jar").getAbsolutePath(),
                "--postbootcommandfile", "server-config/mysql.asadmin")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.command().addAll(clustered
                ? List.of("--clustername", clusterName, "--clustermode", "tcpip:127.0.0.1:" + gridPort,
                        "--interfaces", "127.0.0.1", "--startport", Integer.toString(gridPort))
                : List.of("--nocluster"));
        pb.environment().put("QUEUE_DB_URL", dbUrl);
        pb.environment().put("QUEUE_DB_USER", System.getProperty("it.db.user"));
        pb.environment().put("QUEUE_DB_PASSWORD", System.getProperty("it.db.password", ""));
        pb.environment().putAll(extraEnv);
        Node node = new Node(index, port, pb.start());
        nodes.add(node);
        return node;
    }

    String logName(int index) {
        return "cluster-node-" + index + (clustered ? "" : "-solo") + ".log";
    }

    void awaitUp(Node node, Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.process().isAlive()) {
                throw new AssertionError("node " + node.index() + " exited; see target/" + logName(node.index()));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(node.base().resolve("/jobs/status"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            Api.sleep(500);
        }
        throw new AssertionError("node " + node.index() + " did not start in " + timeout);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.process().descendants().forEach(ProcessHandle::destroyForcibly);
            n.process().destroyForcibly();
        }
    }
}
