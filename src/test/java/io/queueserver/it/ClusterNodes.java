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
 * name and TCP member list on loopback (no multicast), or standalone (no data grid).
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
    /** Tells the logs and temporary folders of these nodes from those of other test classes' nodes. */
    private final String suffix;
    private final List<String> microOptions;
    private static final List<String> ON_MARIADB = List.of("--postbootcommandfile", "server-config/mysql.asadmin");

    ClusterNodes(String dbUrl, Map<String, String> extraEnv) {
        this(dbUrl, extraEnv, true, "", ON_MARIADB);
    }

    private ClusterNodes(String dbUrl, Map<String, String> extraEnv, boolean clustered, String suffix,
            List<String> microOptions) {
        this.dbUrl = dbUrl;
        this.extraEnv = extraEnv;
        this.clustered = clustered;
        this.suffix = suffix;
        this.microOptions = microOptions;
    }

    /**
     * A node configured by the failsafe execution that runs the test: its Payara Micro options
     * ({@code payara.extraMicroOptions}) and its environment, database included.
     */
    static ClusterNodes asConfigured(String name) {
        String options = System.getProperty("payara.extraMicroOptions", "").trim();
        return new ClusterNodes(null, Map.of(), false, "-" + name,
                options.isEmpty() ? List.of() : List.of(options.split("\\s+")));
    }

    /** Nodes started as a single installation is (README "Quick start"): no data grid to join. */
    static ClusterNodes standalone(String dbUrl) {
        return standalone(dbUrl, Map.of(), "solo");
    }

    /** Nodes without a data grid that share one database: the database alone decides who runs what. */
    static ClusterNodes standalone(String dbUrl, Map<String, String> extraEnv, String name) {
        return new ClusterNodes(dbUrl, extraEnv, false, "-" + name, ON_MARIADB);
    }

    Node start(int index) throws IOException {
        return start(index, Map.of());
    }

    /** Starts a node with settings of its own on top of those of every node. */
    Node start(int index, Map<String, String> ownEnv) throws IOException {
        int port = freePort();
        Path log = Path.of("target", logName(index));
        Path tmp = Files.createDirectories(Path.of("target", "cluster-tmp-" + index + suffix));
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp.toAbsolutePath(),
                // C1 only: a node boots in three quarters of the time, and the suite boots dozens on two cores
                "-XX:TieredStopAtLevel=1",
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2", // as README "Operations" recommends
                // a paused or dead member must leave the data grid quickly: Payara's config lookups may wait on it
                "-Dhazelcast.max.no.heartbeat.seconds=10", "-Dhazelcast.heartbeat.interval.seconds=2"));
        if (clustered) {
            // the Java deserialization allow-list of a clustered node (README "Cluster")
            jvm.add("-Djava.security.properties=" + Path.of("server-config", "grid.security").toAbsolutePath());
        }
        List<String> micro = new ArrayList<>(List.of(
                "--deploy", new File(System.getProperty("queue.war")).getAbsolutePath(), "--contextroot", "/",
                "--port", Integer.toString(port), "--nohostaware"));
        micro.addAll(microOptions);
        micro.addAll(clustered
                ? List.of("--clustername", clusterName, "--clustermode", "tcpip:127.0.0.1:" + gridPort,
                        "--interfaces", "127.0.0.1", "--startport", Integer.toString(gridPort))
                : List.of("--nocluster"));
        ProcessBuilder pb = new ProcessBuilder(MicroLauncher.command(jvm, Path.of("target", "cluster-root-" + index + suffix), micro))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        if (dbUrl != null) {
            pb.environment().put("QUEUE_DB_URL", dbUrl);
            pb.environment().put("QUEUE_DB_USER", System.getProperty("it.db.user"));
            pb.environment().put("QUEUE_DB_PASSWORD", System.getProperty("it.db.password", ""));
        }
        pb.environment().putAll(extraEnv);
        pb.environment().putAll(ownEnv);
        Node node = new Node(index, port, pb.start());
        nodes.add(node);
        return node;
    }

    /** The API of the n-th node still alive (counting round, so any n names one). */
    Api api(int n) throws java.net.MalformedURLException {
        List<Node> alive = nodes.stream().filter(node -> node.process().isAlive()).toList();
        return new Api(new java.net.URL(alive.get(n % alive.size()).base().toString()));
    }

    String clusterName() {
        return clusterName;
    }

    int gridPort() {
        return gridPort;
    }

    /** The node whose process the job's {@code owner} names. */
    Node runnerOf(String owner) {
        return nodes.stream().filter(n -> owner.contains(":" + n.process().pid() + ":")).findFirst()
                .orElseThrow(() -> new AssertionError("owner " + owner + " is none of the nodes"));
    }

    String logName(int index) {
        return "cluster-node-" + index + suffix + ".log";
    }

    /** Starts nodes 0 … n-1 together and waits until each answers. */
    ClusterNodes startAll(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            start(i);
        }
        for (Node node : nodes) {
            awaitUp(node, Duration.ofMinutes(4));
        }
        return this;
    }

    void awaitUp(Node node, Duration timeout) {
        // HTTP/1.1: a probe that times out closes its connection (an HTTP/2 connection stuck at start-up would stay
        // in the pool, and every later probe would wait on it)
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!node.process().isAlive()) {
                throw new AssertionError("node " + node.index() + " exited; see target/" + logName(node.index()));
            }
            HttpRequest.Builder probe = HttpRequest.newBuilder(node.base().resolve("/jobs/status"))
                    .timeout(Duration.ofSeconds(2));
            String token = probeToken();
            if (token != null) {
                probe.header("Authorization", "Bearer " + token);
            }
            try {
                HttpResponse<String> r = client.send(probe.build(), HttpResponse.BodyHandlers.ofString());
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

    /** Nodes with API tokens answer the probe only with one: the first of their QUEUE_API_TOKENS. */
    private String probeToken() {
        String tokens = extraEnv.getOrDefault("QUEUE_API_TOKENS", System.getenv("QUEUE_API_TOKENS"));
        return tokens == null || tokens.isBlank() ? null : tokens.split(",")[0].split(":")[0].trim();
    }

    static int freePort() throws IOException {
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
