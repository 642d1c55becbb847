package io.queueserver.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The scripts of the exec tests under target/it-scripts: {@code allowed/} is what the secured test server's
 * QUEUE_EXEC_ALLOW permits ({@code allowed/*.sh}); every script in {@code forbidden/} leaves a marker in
 * {@code ran/} when it runs, so a refused command that ran anyway is found.
 */
final class Scripts {
    static final Path ROOT = Path.of("target", "it-scripts").toAbsolutePath();
    static final Path ALLOWED = ROOT.resolve("allowed");
    static final Path FORBIDDEN = ROOT.resolve("forbidden");
    static final Path RAN = ROOT.resolve("ran");

    private Scripts() {
    }

    static void create() throws IOException {
        Files.createDirectories(ALLOWED);
        Files.createDirectories(FORBIDDEN);
        Files.createDirectories(RAN);
        String mark = "touch " + RAN + "/$(basename \"$0\")-$$\necho ran";
        write(FORBIDDEN.resolve("mark.sh"), mark);
        write(ALLOWED.resolve("noexec.sh"), mark);
        Files.setPosixFilePermissions(ALLOWED.resolve("noexec.sh"), PosixFilePermissions.fromString("rw-r--r--"));
        Path link = ALLOWED.resolve("link.sh");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, FORBIDDEN.resolve("mark.sh"));
        write(ALLOWED.resolve("somescript.sh"), "echo \"somescript ran as job $QUEUE_JOB_ID with $# arguments\"\n"
                + "echo \"greeting: ${GREETING:-none}\"\necho 'to stderr' >&2\nexit ${1:-0}");
    }

    static Path write(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }

    static long markers() throws IOException {
        try (var files = Files.list(RAN)) {
            return files.count();
        }
    }
}
