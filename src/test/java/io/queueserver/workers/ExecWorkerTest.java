package io.queueserver.workers;

import io.queueserver.core.JobRun;
import io.queueserver.core.Placeholders;

import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exec worker with real processes: exit codes, output, caps, timeouts and cancels that kill whole trees. */
class ExecWorkerTest {
    @TempDir
    Path dir;
    Path scripts;
    ExecWorker worker;

    @BeforeEach
    void setUp() throws IOException {
        scripts = Files.createDirectories(dir.resolve("scripts"));
        worker = worker(false, "GREETING");
    }

    @AfterEach
    void tearDown() {
        worker.stop();
    }

    private ExecWorker worker(boolean shell, String envAllow) {
        String allow = scripts + "/*.sh,/bin/echo:no-dash-args,/bin/sh,/bin/sleep";
        return new ExecWorker(ExecRules.of(allow, shell, envAllow, null, 300), 1000, Duration.ofMillis(500),
                Executors.defaultThreadFactory());
    }

    private Path script(String name, String body) throws IOException {
        Path p = scripts.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private CompletableFuture<Outcome> start(String json) {
        JsonObject command = Json.createReader(new StringReader(json.replace('\'', '"'))).readObject();
        command = Placeholders.apply(command, Map.of("__JOBID__", "77"));
        return worker.run(new JobRun(77, 1, "test", command));
    }

    private Outcome run(String json) throws Exception {
        return start(json).get(30, TimeUnit.SECONDS);
    }

    @Test
    void exitZeroIsDoneWithItsOutput() throws Exception {
        Path s = script("ok.sh", "echo \"hello $1 job $QUEUE_JOB_ID\"");
        Outcome o = run("{'type':'exec','cmd':'" + s + " world'}");
        assertTrue(o.success(), o.toString());
        assertEquals(0, o.returnCode());
        assertEquals("hello world job 77\n", o.output());
        assertNull(o.error());
    }

    @Test
    void nonZeroExitFailsWithTheCodeAndStderrIsCaptured() throws Exception {
        Path s = script("fail.sh", "echo out; echo err >&2; exit 3");
        Outcome o = run("{'type':'exec','argv':['" + s + "']}");
        assertFalse(o.success());
        assertEquals(3, o.returnCode());
        assertTrue(o.output().contains("out") && o.output().contains("err"), o.output());
        assertEquals("exit code 3", o.error());
    }

    @Test
    void jobIdPlaceholderInArgvAndNoShellInterpretation() throws Exception {
        Path s = script("args.sh", "for a in \"$@\"; do echo \"[$a]\"; done");
        Outcome o = run("{'type':'exec','argv':['" + s + "','__JOBID__','$(id)','a b','*']}");
        assertEquals("[77]\n[$(id)]\n[a b]\n[*]\n", o.output());
        Outcome quoted = run("{'type':'exec','cmd':'" + s + " \\'one two\\' \\\"three four\\\" five'}");
        assertEquals("[one two]\n[three four]\n[five]\n", quoted.output());
    }

    @Test
    void hugeOutputIsCappedAndCounted() throws Exception {
        Path s = script("huge.sh", "head -c 5000000 /dev/zero | tr '\\0' x; echo done >&2");
        Outcome o = run("{'type':'exec','argv':['" + s + "']}");
        assertTrue(o.success(), o.toString());
        assertTrue(o.output().startsWith("x".repeat(1000) + "\n[output truncated: "), o.output().substring(990));
        assertTrue(o.output().endsWith(" more bytes dropped]"), o.output());
        long dropped = Long.parseLong(o.output().replaceAll("(?s).*truncated: (\\d+) more.*", "$1"));
        assertEquals(5_000_000 + "done\n".length() - 1000, dropped);
    }

    @Test
    void loaderAndShellVariablesAreNeverPassed() {
        ExecRules rules = ExecRules.of(scripts + "/*.sh", false, "LD_PRELOAD,LD_LIBRARY_PATH,BASH_ENV,ENV,"
                + "BASH_FUNC_x,GREETING", null, 300);
        assertEquals(java.util.Set.of("GREETING"), rules.envAllow());
        for (String name : new String[] {"LD_PRELOAD", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "BASH_FUNC_x"}) {
            io.queueserver.core.InvalidField e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.queueserver.core.InvalidField.class, () -> ExecCommand.parse(new io.queueserver.core.JsonFields(
                            Json.createObjectBuilder().add("type", "exec").add("argv", Json.createArrayBuilder()
                                    .add(scripts + "/x.sh")).add("env", Json.createObjectBuilder().add(name, "/tmp/evil.so"))
                                    .build(), "command"), rules), name);
            assertEquals(403, e.status());
            assertEquals("command.env." + name, e.field());
        }
    }

    @Test
    void environmentIsScrubbed() throws Exception {
        Path s = script("env.sh", "env | sort");
        Outcome o = run("{'type':'exec','argv':['" + s + "'],'env':{'GREETING':'hi'}}");
        List<String> lines = o.output().lines().toList();
        assertEquals(List.of("GREETING=hi", "LANG=C.UTF-8", "PATH=" + ExecRules.SAFE_PATH, "PWD=" + Path.of(
                System.getProperty("java.io.tmpdir")).toRealPath(), "QUEUE_JOB_ID=77"), lines);
    }

    @Test
    void timeoutKillsTheWholeTreeIncludingGrandchildren() throws Exception {
        Path pids = dir.resolve("pids");
        // a grandchild that ignores TERM, a child sleeping, and the script waiting
        Path s = script("tree.sh", "sh -c 'trap \"\" TERM; echo $$ >> " + pids + "; while :; do sleep 1; done' &\n"
                + "sleep 1000 & echo $! >> " + pids + "\necho $$ >> " + pids + "\necho started\nwait");
        long before = System.nanoTime();
        Outcome o = run("{'type':'exec','argv':['" + s + "'],'timeout':2}");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertFalse(o.success());
        assertTrue(o.error().startsWith("timed out after 2 s; the process tree was killed"), o.error());
        assertTrue(o.output().startsWith("started"), o.output());
        assertTrue(millis >= 2000 && millis < 10_000, millis + " ms");
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertEquals(3, started.size());
        for (long pid : started) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            assertTrue(p.isEmpty() || !p.get().isAlive(), "process " + pid + " is gone");
        }
    }

    @Test
    void cancelKillsTheTree() throws Exception {
        Path pids = dir.resolve("pids");
        Path s = script("cancel.sh", "sleep 1000 & echo $! >> " + pids + "\necho $$ >> " + pids + "\nwait");
        CompletableFuture<Outcome> running = start("{'type':'exec','argv':['" + s + "']}");
        long deadline = System.currentTimeMillis() + 5000;
        while ((!Files.exists(pids) || Files.readAllLines(pids).size() < 2) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertTrue(running.cancel(true));
        for (long pid : started) {
            ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(5, TimeUnit.SECONDS).join());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " is gone");
        }
    }

    @Test
    void backgroundProcessesLeftByAFinishedCommandAreStopped() throws Exception {
        Path pids = dir.resolve("pids");
        Path s = script("daemon.sh", "sleep 1000 > /dev/null 2>&1 & echo $! >> " + pids + "\nsleep 1.5\necho bye");
        Outcome o = run("{'type':'exec','argv':['" + s + "']}");
        assertTrue(o.success(), o.toString());
        assertTrue(o.output().startsWith("bye"), o.output());
        assertTrue(o.output().contains("1 background process(es) left by the command were stopped"), o.output());
        long pid = Long.parseLong(Files.readAllLines(pids).get(0));
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void outputIsStreamedAsItIsProduced() throws Exception {
        Path s = script("stream.sh", "echo first; sleep 1; echo second");
        java.util.List<String> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
        JsonObject command = Json.createReader(new StringReader("{\"type\":\"exec\",\"argv\":[\"" + s + "\"]}"))
                .readObject();
        CompletableFuture<Outcome> running = worker.run(new JobRun(5, 1, "t", command, pieces::add));
        long deadline = System.currentTimeMillis() + 5000;
        while (pieces.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of("first\n"), pieces, "the first line arrives while the command still runs");
        assertFalse(running.isDone());
        assertEquals("first\nsecond\n", running.get(10, TimeUnit.SECONDS).output());
        assertEquals("first\nsecond\n", String.join("", pieces));
    }

    @Test
    void shellModeRunsThroughShOnlyWhenEnabled() throws Exception {
        Path s = script("sh.sh", "echo shell");
        worker.stop();
        worker = worker(true, "");
        Outcome o = run("{'type':'exec','cmd':'" + s + " | tr a-z A-Z'}");
        assertEquals("SHELL\n", o.output());
    }

    @Test
    void theAllowListIsCheckedAgainAtRunTime() throws Exception {
        Outcome o = run("{'type':'exec','argv':['/usr/bin/id']}");
        assertFalse(o.success());
        assertTrue(o.error().contains("is not allowed by QUEUE_EXEC_ALLOW"), o.error());
        assertNull(o.returnCode());
    }
}
