package io.queueserver.standalone;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Payara Micro options the runnable jar derives from the environment, as the Maven run's profiles do. */
class RunnableJarTest {
    @TempDir
    Path config;

    private void copyServerConfig() throws IOException {
        for (String name : RunnableJar.CONFIG) {
            Files.copy(Path.of("server-config", name), config.resolve(name));
        }
    }

    @Test
    void embeddedDatabaseOnPort8080WithoutADataGridByDefault() throws IOException {
        copyServerConfig();
        List<String> options = RunnableJar.options(Map.of(), List.of(), config);
        assertEquals(List.of("--port", "8080", "--postbootcommandfile",
                config.resolve("embedded.asadmin").toAbsolutePath().toString(), "--nocluster"), options);
        String commands = Files.readString(config.resolve("embedded.asadmin"));
        assertTrue(commands.contains("add-resources " + config.toAbsolutePath() + "/embedded.xml"), commands);
    }

    @Test
    void mysqlWhenQueueDbUrlIsSetAndCommandLineOptionsLast() throws IOException {
        copyServerConfig();
        List<String> options = RunnableJar.options(Map.of("QUEUE_DB_URL", "jdbc:mysql://db/queue", "QUEUE_PORT", "9000"),
                List.of("--port", "9090"), config);
        assertEquals(List.of("--port", "9000", "--postbootcommandfile",
                config.resolve("mysql.asadmin").toAbsolutePath().toString(), "--nocluster", "--port", "9090"), options);
        assertTrue(Files.readString(config.resolve("mysql.asadmin"))
                .contains("add-resources " + config.toAbsolutePath() + "/mysql.xml"));
    }

    @Test
    void clusterMembersJoinOverTcpWithTheDeserializationAllowList() throws IOException {
        copyServerConfig();
        Map<String, String> env = Map.of("QUEUE_CLUSTER_MEMBERS", "10.0.0.1:6900,10.0.0.2:6900",
                "QUEUE_CLUSTER_INTERFACE", "10.0.0.1");
        List<String> options = RunnableJar.options(env, List.of(), config);
        assertFalse(options.contains("--nocluster"));
        assertEquals(List.of("--clustername", "queue-server", "--clustermode", "tcpip:10.0.0.1:6900,10.0.0.2:6900",
                "--interfaces", "10.0.0.1", "--startport", "6900"), options.subList(4, options.size()));
        String filter = RunnableJar.systemProperties(env, config, 8).get("jdk.serialFilter");
        assertTrue(filter.startsWith("maxdepth=50;") && filter.endsWith(";!*"), filter);
    }

    @Test
    void theCommonPoolGetsTwoThreadsOnlyOnSmallMachines() throws IOException {
        copyServerConfig();
        String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
        assertEquals("2", RunnableJar.systemProperties(Map.of(), config, 2).get(parallelism));
        assertFalse(RunnableJar.systemProperties(Map.of(), config, 4).containsKey(parallelism));
        assertFalse(RunnableJar.systemProperties(Map.of(), config, 4).containsKey("jdk.serialFilter"));
    }
}
