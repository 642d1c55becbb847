package io.queueserver.it;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Starts the test nodes' Payara Micro from one runtime unpacked once per build, with a class data sharing archive
 * written by a first boot: later boots map those classes instead of loading and verifying them again (a boot costs
 * about a third less CPU, and the suite boots dozens). Each node keeps its own root directory for what an instance
 * writes (its configuration, logs, deployed application), copied from the pristine one of the runtime.
 * Without an archive (the first boot failed) nodes start the same way, only slower.
 */
final class MicroLauncher {
    private static final Path RUNTIME = Path.of("target", "micro-runtime").toAbsolutePath();
    private static final Path LAUNCHER = RUNTIME.resolve("launch-micro.jar");
    private static final Path ARCHIVE = RUNTIME.resolve("classes.jsa");
    /** On every node's class path, so that nodes on MariaDB need no {@code --addlibs} (the launcher refuses it). */
    private static final String CONNECTOR = new File("target/runtime/mysql-connector-j.jar").getAbsolutePath();

    private MicroLauncher() {
    }

    /**
     * The command line of a Payara Micro instance in {@code rootDir} (made afresh from the runtime's pristine one):
     * {@code java jvmOptions … PayaraMicroImpl --rootdir rootDir microOptions}.
     */
    static synchronized List<String> command(List<String> jvmOptions, Path rootDir, List<String> microOptions)
            throws IOException {
        prepare();
        List<String> command = baseCommand(jvmOptions, rootDir);
        if (Files.exists(ARCHIVE)) {
            command.add(1, "-XX:SharedArchiveFile=" + ARCHIVE);
        }
        command.addAll(microOptions);
        return command;
    }

    private static List<String> baseCommand(List<String> jvmOptions, Path rootDir) throws IOException {
        freshRoot(rootDir);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(moduleAccess());
        command.addAll(List.of("-Dfish.payara.micro.BootJar=" + LAUNCHER.toUri(),
                "-Dfish.payara.micro.UnpackDir=" + RUNTIME,
                "-cp", LAUNCHER + File.pathSeparator + CONNECTOR, "fish.payara.micro.impl.PayaraMicroImpl",
                "--rootdir", rootDir.toAbsolutePath().toString()));
        return command;
    }

    /** Unpacks the runtime once per build, then boots it once to write the archive. */
    private static void prepare() throws IOException {
        if (Files.exists(LAUNCHER)) {
            return;
        }
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                new File(System.getProperty("payara.microJar")).getAbsolutePath(),
                "--rootdir", RUNTIME.toString(), "--outputlauncher"), RUNTIME.resolveSibling("micro-runtime.log"));
        writeArchive();
    }

    /**
     * A first boot on the embedded database that deploys the WAR and is stopped once it answers: the JVM writes the
     * classes it loaded when it exits.
     */
    private static void writeArchive() throws IOException {
        Path scratch = ARCHIVE.resolveSibling("classes.jsa.tmp");
        Path root = RUNTIME.resolveSibling("micro-archive-boot");
        int port = ClusterNodes.freePort();
        List<String> command = baseCommand(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-XX:ArchiveClassesAtExit=" + scratch), root);
        command.addAll(List.of("--deploy", new File(System.getProperty("queue.war")).getAbsolutePath(),
                "--contextroot", "/", "--port", Integer.toString(port), "--nocluster",
                "--postbootcommandfile", "server-config/embedded.asadmin"));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(RUNTIME.resolveSibling("micro-archive-boot.log").toFile());
        pb.environment().put("QUEUE_DATA_DIR", root.resolve("data").toString());
        pb.environment().remove("QUEUE_DB_URL");
        pb.environment().remove("QUEUE_API_TOKENS");
        Process boot = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (boot.isAlive() && System.nanoTime() < deadline && !answers(port)) {
                Api.sleep(500);
            }
            boot.destroy();
            if (boot.waitFor(2, TimeUnit.MINUTES) && Files.exists(scratch)) {
                Files.move(scratch, ARCHIVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                System.err.println("no class data sharing archive: see target/micro-archive-boot.log");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            boot.destroyForcibly();
        }
    }

    private static boolean answers(int port) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/jobs/status").toURL()
                    .openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** The module access the launcher's manifest asks for, which only {@code java -jar} would read. */
    private static List<String> moduleAccess() throws IOException {
        try (JarFile jar = new JarFile(LAUNCHER.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            return Stream.concat(
                    Arrays.stream(main.getValue("Add-Opens").trim().split("\\s+")).map(p -> "--add-opens=" + p + "=ALL-UNNAMED"),
                    Arrays.stream(main.getValue("Add-Exports").trim().split("\\s+")).map(p -> "--add-exports=" + p + "=ALL-UNNAMED"))
                    .toList();
        }
    }

    private static void freshRoot(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> old = Files.walk(root)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        for (String part : List.of("config", "docroot", "lib")) {
            try (Stream<Path> files = Files.walk(RUNTIME.resolve(part))) {
                for (Path from : (Iterable<Path>) files::iterator) {
                    Path to = root.resolve(RUNTIME.relativize(from).toString());
                    if (Files.isDirectory(from)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(from, to);
                    }
                }
            }
        }
    }

    private static void run(List<String> command, Path log) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("could not unpack Payara Micro: see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
