package io.queueserver.standalone;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The main class of {@code target/queue-server.jar}, the Payara Micro uber jar with the WAR at {@code /}
 * (README "The runnable jar"). It starts Payara Micro as {@code mvn package payara-micro:start} does, from the same
 * environment variables: the post-boot commands of {@code server-config/embedded.asadmin}, or of
 * {@code mysql.asadmin} when {@code QUEUE_DB_URL} is set; {@code QUEUE_PORT}; the data grid of exactly
 * {@code QUEUE_CLUSTER_MEMBERS}, with the deserialization allow-list of {@code grid.security}, or none. Payara
 * Micro options on the command line come last, so they win ({@code --port 9090}).
 */
public final class RunnableJar {
    /** The files of server-config/ that the jar carries at its root. */
    static final List<String> CONFIG = List.of("embedded.asadmin", "embedded.xml", "mysql.asadmin", "mysql.xml",
            "grid.security");

    private RunnableJar() {
    }

    public static void main(String[] args) throws Exception {
        Path config = Files.createTempDirectory("queue-server-config-");
        config.toFile().deleteOnExit(); // deleted last, once its files (registered after it) are gone
        for (String name : CONFIG) {
            try (InputStream in = RunnableJar.class.getResourceAsStream("/server-config/" + name)) {
                Files.copy(in, config.resolve(name));
            }
            config.resolve(name).toFile().deleteOnExit();
        }
        Map<String, String> env = System.getenv();
        systemProperties(env, config, Runtime.getRuntime().availableProcessors())
                .forEach((name, value) -> System.getProperties().putIfAbsent(name, value));
        String[] options = options(env, List.of(args), config).toArray(new String[0]);
        Class.forName("fish.payara.micro.PayaraMicro").getMethod("main", String[].class).invoke(null, (Object) options);
    }

    /** Payara Micro's options: those of the environment, then the command line's. */
    static List<String> options(Map<String, String> env, List<String> given, Path config) throws IOException {
        List<String> options = new ArrayList<>(List.of("--port", env.getOrDefault("QUEUE_PORT", "8080"),
                "--postbootcommandfile", postBootCommands(config, isSet(env, "QUEUE_DB_URL") ? "mysql" : "embedded")));
        if (isSet(env, "QUEUE_CLUSTER_MEMBERS")) {
            options.addAll(List.of("--clustername", "queue-server",
                    "--clustermode", "tcpip:" + env.get("QUEUE_CLUSTER_MEMBERS"),
                    "--interfaces", env.getOrDefault("QUEUE_CLUSTER_INTERFACE", "127.0.0.1"),
                    "--startport", env.getOrDefault("QUEUE_CLUSTER_PORT", "6900")));
        } else {
            options.add("--nocluster");
        }
        options.addAll(given);
        return options;
    }

    /**
     * What the Maven run passes as {@code -D} options: the common pool of at least 2 threads on small machines
     * (README "Operations"), and on a clustered node the deserialization allow-list.
     */
    static Map<String, String> systemProperties(Map<String, String> env, Path config, int processors) throws IOException {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        properties.put("fish.payara.classloading.delegate", "true");
        if (processors < 3) {
            properties.put("java.util.concurrent.ForkJoinPool.common.parallelism", "2");
        }
        if (isSet(env, "QUEUE_CLUSTER_MEMBERS")) {
            Properties grid = new Properties();
            grid.load(new StringReader(Files.readString(config.resolve("grid.security"))));
            properties.put("jdk.serialFilter", grid.getProperty("jdk.serialFilter"));
        }
        return properties;
    }

    /**
     * The post-boot file of a database, its resource files named by absolute path: the command files name them
     * relative to the repository root.
     */
    private static String postBootCommands(Path config, String database) throws IOException {
        Path file = config.resolve(database + ".asadmin");
        String commands = Files.readString(file).replace("add-resources server-config/",
                "add-resources " + config.toAbsolutePath() + "/");
        Files.writeString(file, commands);
        return file.toAbsolutePath().toString();
    }

    private static boolean isSet(Map<String, String> env, String name) {
        return env.get(name) != null && !env.get(name).isBlank();
    }
}
