package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exec jobs on the secured test server, whose QUEUE_EXEC_ALLOW permits target/it-scripts/allowed/*.sh. */
class ExecJobIT extends DeployedServerTest {
    @BeforeAll
    static void scripts() throws Exception {
        Scripts.create();
    }

    @Test
    void theOriginalsExampleRunsWhenItsScriptIsAllowed() {
        String script = Scripts.ALLOWED.resolve("somescript.sh").toString();
        long id = api.add("{\"command\":{\"type\":\"exec\",\"cmd\":\"" + script + "\"}}");
        JsonObject job = api.awaitFinal(id);
        assertEquals(3, job.getInt("worker_status"), job.toString());
        assertEquals(0, job.getInt("return_code"));
        assertEquals("somescript ran as job " + id + " with 0 arguments\ngreeting: none\nto stderr\n", job.getString("output"));
        JsonObject compat = api.get("/jobs/get/" + id).data();
        assertEquals(0, compat.getInt("return_code"));
        assertEquals(job.getString("output"), compat.getString("output"));
    }

    @Test
    void exitCodeAndAllowedEnvironment() {
        String script = Scripts.ALLOWED.resolve("somescript.sh").toString();
        long id = api.add("{\"command\":{\"type\":\"exec\",\"argv\":[\"" + script + "\",\"7\"],\"env\":{\"GREETING\":\"hello\"}}}");
        JsonObject job = api.awaitFinal(id);
        assertEquals(99, job.getInt("worker_status"));
        assertEquals(7, job.getInt("return_code"));
        assertEquals("exit code 7", job.getString("error"));
        assertTrue(job.getString("output").contains("greeting: hello"), job.getString("output"));
    }

    @Test
    void aCommandOutsideTheAllowListIsRefusedAndNothingIsStored() throws Exception {
        int stored = api.get("/jobs/status").data().getInt("all_jobs");
        for (String cmd : new String[] {"/home/michael/scripts/somescript.sh", Scripts.FORBIDDEN.resolve("mark.sh").toString(),
                Scripts.ALLOWED.resolve("link.sh").toString()}) {
            Api.Answer refused = api.postJson("/jobs/add", "{\"command\":{\"type\":\"exec\",\"cmd\":\"" + cmd + "\"}}");
            assertEquals(403, refused.status(), refused.body());
            assertEquals("command.cmd", refused.object().getString("field"));
        }
        assertEquals(stored, api.get("/jobs/status").data().getInt("all_jobs"));
        assertEquals(0, Scripts.markers());
    }

    @Test
    void aTimedOutJobLeavesNoProcessBehind() throws Exception {
        Path pids = Scripts.ROOT.resolve("tree-pids-" + System.nanoTime());
        Path script = Scripts.write(Scripts.ALLOWED.resolve("tree.sh"),
                "sh -c 'trap \"\" TERM; echo $$ >> " + pids + "; while :; do sleep 1; done' &\n"
                        + "sleep 1000 & echo $! >> " + pids + "\necho $$ >> " + pids + "\necho started\nwait");
        long id = api.add("{\"command\":{\"type\":\"exec\",\"argv\":[\"" + script + "\"],\"timeout\":2}}");
        JsonObject job = api.awaitJob(id, j -> j.getInt("worker_status") == 99, Duration.ofSeconds(30));
        assertTrue(job.getString("error").startsWith("timed out after 2 s; the process tree was killed"), job.toString());
        assertTrue(job.getString("output").startsWith("started"));
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertEquals(3, started.size(), started.toString());
        for (long pid : started) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " is gone");
        }
        assertTrue(Machine.childrenOfServer().isEmpty(), "nothing left under the server: " + Machine.childrenOfServer());
    }
}
