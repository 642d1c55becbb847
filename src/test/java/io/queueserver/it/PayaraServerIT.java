package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The WAR on a full Payara Server 6, the distribution that Maven unpacked into {@code target/payara-server}: the
 * README's script {@code server-config/payara-server.sh} creates a domain of its own on free ports, starts it, adds
 * the MySQL driver and the {@code jdbc/queue} resource and deploys the WAR with asadmin, on a MariaDB database of
 * this class. The domain is stopped and deleted afterwards, also when a step failed.
 */
class PayaraServerIT {
    static final Path HOME = Path.of(System.getProperty("payara.server.home", "target/payara-server/payara6"));
    static final String DOMAIN = "queue-it-" + ProcessHandle.current().pid();
    static final Path LOG = Path.of("target", "payara-server-" + DOMAIN + ".log");
    /** Offsets from the port base of the ports a domain opens (create-domain prints them). */
    static final int[] PORT_OFFSETS = {9, 37, 38, 39, 48, 49, 59, 66, 76, 80, 81, 86};

    static ScratchDatabase db;
    static int portbase;
    static Api api;

    @BeforeAll
    static void deployWithTheReadmesScript() throws Exception {
        assertTrue(Files.isRegularFile(HOME.resolve("bin/asadmin")), "Payara Server unpacked at " + HOME);
        db = ScratchDatabase.create("payara_server");
        portbase = freePortbase();
        Map<String, String> env = new HashMap<>(Map.of("PAYARA_DOMAIN", DOMAIN,
                "PAYARA_PORTBASE", Integer.toString(portbase), "QUEUE_DB_URL", db.url(),
                "QUEUE_DB_USER", System.getProperty("it.db.user"),
                "QUEUE_DB_PASSWORD", System.getProperty("it.db.password", "")));
        int exit = run(env, Duration.ofMinutes(6), "server-config/payara-server.sh");
        assertEquals(0, exit, "server-config/payara-server.sh failed; see " + LOG);
        api = new Api(URI.create("http://127.0.0.1:" + (portbase + 80) + "/"), null);
    }

    @AfterAll
    static void stopAndDeleteTheDomain() throws Exception {
        Path domainDir = HOME.resolve("glassfish/domains").resolve(DOMAIN);
        try {
            if (Files.isDirectory(domainDir)) {
                Path serverLog = domainDir.resolve("logs/server.log");
                if (Files.exists(serverLog)) {
                    Files.copy(serverLog, Path.of("target", "payara-server-" + DOMAIN + "-server.log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                Map<String, String> admin = Map.of("AS_ADMIN_PORT", Integer.toString(portbase + 48));
                String asadmin = HOME.resolve("bin/asadmin").toAbsolutePath().toString();
                if (run(admin, Duration.ofMinutes(2), asadmin, "stop-domain", DOMAIN) != 0) {
                    killDomainProcess(domainDir.resolve("config/pid"));
                }
                run(admin, Duration.ofMinutes(1), asadmin, "delete-domain", DOMAIN);
            }
        } finally {
            if (db != null) {
                db.drop();
            }
        }
    }

    @Test
    void theOriginalsApiRunsAnHttpJobAndCallsBack() throws Exception {
        assertEquals("running", api.get("/").object().getString("status"));
        try (RecordingTarget target = new RecordingTarget()) {
            Api.Answer added = api.postJson("/jobs/add", """
                    {"priority": 800, "context": "MyCoolApp",
                     "command": {"type": "http", "url": "%s", "timeout": 20},
                     "callback_done": {"type": "http", "url": "%s", "method": "GET"}}"""
                    .formatted(target.url("/send-mails?job=__JOBID__"), target.url("/done?job=__JOBID__")));
            assertEquals(200, added.status(), added.body());
            assertEquals("OK", added.object().getString("status"), added.body());
            String id = added.object().getString("job_id");

            JsonObject status = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                status = api.get("/jobs/status/" + id).data();
                if (status.getInt("worker_status") == 3 || status.getInt("worker_status") == 99) {
                    break;
                }
                Api.sleep(100);
            }
            assertEquals(3, status.getInt("worker_status"), String.valueOf(status));
            assertEquals("job=" + id, target.awaitHit("/send-mails", 1_000).query());
            assertEquals("job=" + id, target.awaitHit("/done", 10_000).query());
            assertEquals("GET", target.awaitHit("/done", 1_000).method());
        }
        JsonObject counters = api.get("/jobs/status").data();
        assertTrue(counters.getInt("done") >= 1, counters.toString());
        assertEquals(1L, (long) db.query("SELECT COUNT(*) FROM queue_job", row -> row.getLong(1)),
                "the job is stored in this class's MariaDB database, through jdbc/queue");
        assertEquals("UP", api.get("/health/ready").object().getString("status"));
    }

    /** What README "Payara Server 6" lists is what the script ran. */
    @Test
    void theReadmeListsTheCommandsOfTheScript() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        List<String> commands = Files.readAllLines(Path.of("server-config/payara-server.sh")).stream()
                .map(String::trim).filter(line -> line.startsWith("asadmin ")).toList();
        assertEquals(5, commands.size(), commands.toString());
        for (String command : commands) {
            assertTrue(readme.contains(command), "README lacks: " + command);
        }
    }

    /** Runs a command of the repository root with Payara Server's bin/ first on the PATH; its output goes to LOG. */
    private static int run(Map<String, String> env, Duration timeout, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("PATH", HOME.resolve("bin").toAbsolutePath() + ":" + System.getenv("PATH"));
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " took longer than " + timeout + "; see " + LOG);
        }
        return p.exitValue();
    }

    private static void killDomainProcess(Path pidFile) throws IOException {
        if (Files.exists(pidFile)) {
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** A port base whose every port a domain opens is free now. */
    private static int freePortbase() throws IOException {
        for (int tries = 0; tries < 50; tries++) {
            int base = ThreadLocalRandom.current().nextInt(200, 600) * 100;
            List<ServerSocket> probes = new ArrayList<>();
            try {
                for (int offset : PORT_OFFSETS) {
                    probes.add(new ServerSocket(base + offset));
                }
                return base;
            } catch (IOException inUse) {
                // try another base
            } finally {
                for (ServerSocket s : probes) {
                    s.close();
                }
            }
        }
        throw new IOException("no free port base found");
    }
}
