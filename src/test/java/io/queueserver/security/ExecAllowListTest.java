package io.queueserver.security;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecAllowListTest {
    @TempDir
    Path dir;
    Path allowed;
    Path forbidden;

    @BeforeEach
    void files() throws IOException {
        allowed = Files.createDirectories(dir.resolve("scripts"));
        forbidden = Files.createDirectories(dir.resolve("other"));
        executable(allowed.resolve("job.sh"));
        executable(forbidden.resolve("evil.sh"));
        Files.createSymbolicLink(allowed.resolve("link.sh"), forbidden.resolve("evil.sh"));
        Files.createSymbolicLink(dir.resolve("alias"), allowed);
    }

    private static void executable(Path p) throws IOException {
        Files.writeString(p, "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private boolean allows(ExecAllowList list, String name) {
        try {
            return list.match(ExecAllowList.resolve(name, List.of(allowed))).isPresent();
        } catch (ExecAllowList.Refused e) {
            return false;
        }
    }

    @Test
    void realPathsDecide() {
        ExecAllowList list = ExecAllowList.parse(allowed + "/*.sh");
        assertTrue(allows(list, allowed + "/job.sh"));
        assertTrue(allows(list, "job.sh"), "bare names are looked up on the PATH");
        assertTrue(allows(list, dir + "/alias/job.sh"), "a symlinked directory leads to the same file");
        assertTrue(!allows(list, allowed + "/../scripts/job.sh"), "no '..' at all");
        assertTrue(!allows(list, allowed + "/./job.sh"));
        assertTrue(!allows(list, allowed + "//job.sh"));
        assertTrue(!allows(list, allowed + "/job.sh/"));
        assertTrue(!allows(list, allowed + "/link.sh"), "a symlink out of the allowed folder");
        assertTrue(!allows(list, allowed + "/../other/evil.sh"));
        assertTrue(!allows(list, allowed.toString().toUpperCase() + "/JOB.SH"), "no case games");
        assertTrue(!allows(list, allowed + "/missing.sh"));
        assertTrue(!allows(list, allowed.toString()), "a directory");
        assertTrue(!allows(list, "scripts/job.sh"), "relative paths");
        assertTrue(!allows(list, allowed + "/job.sh\0x"));
    }

    @Test
    void entriesAreResolvedToo() {
        ExecAllowList viaLink = ExecAllowList.parse(dir + "/alias/job.sh");
        assertTrue(allows(viaLink, allowed + "/job.sh"));
        ExecAllowList exact = ExecAllowList.parse(allowed + "/job.sh:no-dash-args, relative/x.sh, /a/../b");
        assertEquals(1, exact.entries().size(), "relative and unnormalized entries are ignored");
        assertTrue(exact.entries().get(0).noDashArgs());
        assertTrue(ExecAllowList.parse("").isEmpty());
        assertTrue(ExecAllowList.parse(null).isEmpty());
    }

    @Test
    void starStaysInItsDirectory() throws IOException {
        Path nested = Files.createDirectories(allowed.resolve("deeper"));
        executable(nested.resolve("n.sh"));
        assertTrue(!allows(ExecAllowList.parse(allowed + "/*.sh"), nested + "/n.sh"));
        assertTrue(allows(ExecAllowList.parse(allowed + "/**.sh"), nested + "/n.sh"));
    }

    @Test
    void aLinkToAMultiCallBinaryAllowsNothing() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("farm"));
        executable(bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("echo"), bin.resolve("busybox"));
        Files.createSymbolicLink(bin.resolve("sh"), bin.resolve("busybox"));
        assertTrue(ExecAllowList.parse(bin + "/echo").isEmpty(), "an entry that is a multi-call binary is dropped");
        assertTrue(ExecAllowList.parse(bin + "/busybox").isEmpty());
        ExecAllowList all = ExecAllowList.parse(bin + "/*");
        assertTrue(!allows(all, bin + "/echo"), "/bin/echo is busybox: argv[1] would pick any applet");
        assertTrue(!allows(all, bin + "/busybox"));
        assertTrue(!allows(all, bin + "/sh"));
    }

    @Test
    void theRealFileMustHaveTheRequestedName() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("names"));
        executable(bin.resolve("real-tool"));
        Files.createSymbolicLink(bin.resolve("tool"), bin.resolve("real-tool"));
        assertTrue(!allows(ExecAllowList.parse(bin + "/tool"), bin + "/tool"));
        assertTrue(!allows(ExecAllowList.parse(bin + "/*"), bin + "/tool"));
        assertTrue(allows(ExecAllowList.parse(bin + "/real-tool"), bin + "/real-tool"));
        assertTrue(!allows(ExecAllowList.parse(bin + "/real-tool"), bin + "/tool"), "the entry names real-tool");
    }

    @Test
    void refusalsExplainThemselves() {
        ExecAllowList.Refused e = assertThrows(ExecAllowList.Refused.class,
                () -> ExecAllowList.resolve("no-such-command", List.of(allowed)));
        assertTrue(e.getMessage().contains("not found on the server's PATH"));
    }
}
