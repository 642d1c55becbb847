package io.queueserver.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A catalogue of hostile and malformed requests against the secured test server (tokens, exec allow-list,
 * QUEUE_HTTP_DENY_PRIVATE=true). For every case: the expected 4xx as problem+json naming the field, nothing stored,
 * no connection to the canary that listens where the refused URLs point, and no process started by the server.
 */
class HostileInputIT extends DeployedServerTest {
    static Canary canary;
    static InetAddress machine;

    @BeforeAll
    static void setUp() throws Exception {
        Scripts.create();
        machine = Machine.nonLoopbackAddress();
        canary = new Canary(List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"), machine));
    }

    @AfterAll
    static void tearDown() throws Exception {
        canary.close();
    }

    record Case(String label, String path, String contentType, byte[] body, int status, String field) {
    }

    private final List<Case> cases = new ArrayList<>();

    private void raw(String path, String contentType, byte[] body, int status, String field) {
        cases.add(new Case(path + " " + new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8),
                path, contentType, body, status, field));
    }

    /** A job body sent to both submit routes (the original's and the REST one). */
    private void job(String json, int status, String field) {
        byte[] body = json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        raw("/jobs/add", "application/json", body, status, field);
        raw("/jobs", "application/json", body, status, field);
    }

    private static String http(String url) {
        return "{'type':'http','url':'" + url + "'}";
    }

    private static String withCommand(String command) {
        return "{'command':" + command + "}";
    }

    private static final String OK = http("https://example.com/never");

    private void framing() {
        String[] syntax = {"{", "{'command':", "}", "[", "{'a':1,}", "{\\'a\\':1}", "{'a':1}}", "{'a':1} {'b':2}", "nul",
                "NaN", "{'priority':NaN}", "{'priority':01}", "{'a':'\\x'}", "{'a':'unterminated}", "{'a':'\\u12'}",
                "/* c */ {}", "{'a':1 // c\n}", "'text'", "42", "true", "null", "", "   ", "{'a' 1}", "{1:2}",
                "{'a':tru}", "{'a':[1,2}", "{'a':+1}", "{'a':.5}", "{'a':1.}", "{'a':0x10}", "{'a':Infinity}"};
        for (String s : syntax) {
            job(s, 400, "body");
        }
        job("{'x':".repeat(40) + "1" + "}".repeat(40), 400, "body");
        job("[".repeat(2000) + "]".repeat(2000), 400, "body");
        for (byte[] bytes : new byte[][] {{'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'},
                {'{', '"', 'a', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'},
                {'{', '"', 'a', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'},
                {'{', '"', 'a', '"', ':', '"', 1, '"', '}'}, {'{', 0, '}'}}) {
            raw("/jobs/add", "application/json", bytes, 400, "body");
            raw("/jobs", "application/json", bytes, 400, "body");
        }
    }

    private void types() {
        for (String p : new String[] {"'urgent'", "1.5", "true", "[]", "{}", "1000001", "-1000001", "1e300",
                "99999999999999999999", "'12abc'"}) {
            job("{'priority':" + p + ",'command':" + OK + "}", 400, "priority");
        }
        for (String c : new String[] {"5", "[]", "{}", "''", "'   '", "'" + "c".repeat(101) + "'", "'a\\nb'", "'a\\u0000b'"}) {
            job("{'context':" + c + ",'command':" + OK + "}", 400, "context");
        }
        for (String c : new String[] {"{}", "{'command':'x'}", "{'command':[]}", "{'command':5}", "{'command':null}",
                "{'cmd':'/bin/id'}"}) {
            job(c, 400, "command");
        }
        for (String t : new String[] {"{}", "{'type':5}", "{'type':''}", "{'type':'teleport'}", "{'type':'http\\r\\n'}",
                "{'type':'" + "t".repeat(65) + "'}", "{'type':['http']}", "{'type':'HTTP'}"}) {
            job(withCommand(t), 400, "command.type");
        }
        String u = "{'type':'http','url':";
        for (String url : new String[] {"5", "[]", "''", "'   '", "'" + "https://example.com/" + "a".repeat(8200) + "'",
                "'not a url'", "'http://'", "'http:///x'", "'//example.com/'", "'example.com'", "'http://exa mple.com/'",
                "'http://example.com/\\r\\nX: y'", "'http:\\\\\\\\example.com'", "'http://user:pw@example.com/'",
                "'http://@example.com/'", "'http://example.com:99999/'", "'http://[::1/'", "'http://ex<ample.com/'",
                "'ftp://example.com/'", "'file:///etc/passwd'", "'gopher://example.com/'", "'javascript:alert(1)'",
                "'data:text/plain,x'", "'ws://example.com/'", "'wss://example.com/'", "'jar:http://example.com!/'",
                "'mailto:a@example.com'", "'ldap://example.com/'", "'dict://example.com:11211/'", "'sftp://example.com/'",
                "'tftp://example.com/'", "'netdoc:///etc/passwd'", "'http:example.com'", "'https:'"}) {
            job(withCommand(u + url + "}"), 400, "command.url");
        }
        job(withCommand("{'type':'http'}"), 400, "command.url");
        String base = "{'type':'http','url':'https://example.com/x',";
        for (String m : new String[] {"5", "'CONNECT'", "'TRACE'", "'GET\\r\\nX: 1'", "'G ET'", "''", "'GETGETGETGETGETGET'",
                "'OPTIONS'", "['GET']"}) {
            job(withCommand(base + "'method':" + m + "}"), 400, "command.method");
        }
        String[][] headerCases = {
                {"'x'", "command.headers"}, {"[]", "command.headers"}, {"{'X':{}}", "command.headers.X"},
                {"{'X':[1]}", "command.headers.X"}, {"{'X':'a\\r\\nb'}", "command.headers.X"},
                {"{'X':'a\\nInjected: 1'}", "command.headers.X"}, {"{'X':'a\\rb'}", "command.headers.X"},
                {"{'X':'a\\u0000b'}", "command.headers.X"}, {"{'X-A\\r\\nB':'1'}", "command.headers.X-A\r\nB"},
                {"{'X Y':'1'}", "command.headers.X Y"}, {"{'X:Y':'1'}", "command.headers.X:Y"},
                {"{'':'1'}", "command.headers"}, {"{'Host':'evil'}", "command.headers.Host"},
                {"{'Content-Length':'5'}", "command.headers.Content-Length"},
                {"{'Transfer-Encoding':'chunked'}", "command.headers.Transfer-Encoding"},
                {"{'connection':'close'}", "command.headers.connection"}, {"{'Upgrade':'h2c'}", "command.headers.Upgrade"},
                {"{'X':'" + "v".repeat(8193) + "'}", "command.headers.X"},
                {"{'X':'a\\u0001b'}", "command.headers.X"}, {"{'X':'a\\u007fb'}", "command.headers.X"},
                {"{'X':'a\\u0100b'}", "command.headers.X"}, {"{'Authorization':'Bearer \\u20ac'}",
                "command.headers.Authorization"}, {"{'X':'a\\u001bb'}", "command.headers.X"},
                {"{'Queue-Server-Job':'forged'}", "command.headers.Queue-Server-Job"}, {"{'" + "N".repeat(257) + "':'1'}", "command.headers"},
                {"{" + String.join(",", java.util.stream.IntStream.range(0, 51).mapToObj(i -> "'H" + i + "':'1'").toList()) + "}",
                        "command.headers"}};
        for (String[] h : headerCases) {
            job(withCommand(base + "'headers':" + h[0] + "}"), 400, h[1]);
        }
        String[][] other = {
                {"'params':'x'", "command.params"}, {"'params':{'a':{}}", "command.params.a"}, {"'params':{'a':[1]}", "command.params.a"},
                {"'params':{" + String.join(",", java.util.stream.IntStream.range(0, 201).mapToObj(i -> "'p" + i + "':1").toList()) + "}",
                        "command.params"},
                {"'body':'x'", "command.body"}, {"'json':{'a':1}", "command.json"}, {"'method':'POST','body':'x','json':{}", "command.json"},
                {"'method':'HEAD','body':'x'", "command.body"}, {"'method':'POST','body':5", "command.body"},
                {"'timeout':0", "command.timeout"}, {"'timeout':-1", "command.timeout"}, {"'timeout':86401", "command.timeout"},
                {"'timeout':'x'", "command.timeout"}, {"'timeout':1.5", "command.timeout"}, {"'timeout':[]", "command.timeout"},
                {"'success':[]", "command.success"}, {"'success':'200'", "command.success"}, {"'success':[99]", "command.success"},
                {"'success':[600]", "command.success"}, {"'success':['200']", "command.success"}, {"'success':[200.5]", "command.success"},
                {"'follow_redirects':'yes'", "command.follow_redirects"}, {"'follow_redirects':1", "command.follow_redirects"}};
        for (String[] o : other) {
            job(withCommand(base + o[0] + "}"), 400, o[1]);
        }
        for (String kind : new String[] {"callback_done", "callback_failed"}) {
            job("{'command':" + OK + ",'" + kind + "':'x'}", 400, kind);
            job("{'command':" + OK + ",'" + kind + "':{}}", 400, kind + ".type");
            job("{'command':" + OK + ",'" + kind + "':{'type':'http'}}", 400, kind + ".url");
            job("{'command':" + OK + ",'" + kind + "':" + http("ftp://example.com/") + "}", 400, kind + ".url");
            job("{'command':" + OK + ",'" + kind + "':{'type':'http','url':'https://example.com/','headers':{'X':'a\\r\\nb'}}}",
                    400, kind + ".headers.X");
        }
        String[][] top = {{"'run_at':'tomorrow'", "run_at"}, {"'run_at':5", "run_at"}, {"'run_at':'2030-13-01T00:00:00Z'", "run_at"},
                {"'delay':-1", "delay"}, {"'delay':'x'", "delay"}, {"'delay':31622401", "delay"},
                {"'run_at':'2030-01-01T00:00:00Z','delay':5", "delay"}, {"'max_attempts':0", "max_attempts"},
                {"'max_attempts':101", "max_attempts"}, {"'max_attempts':'x'", "max_attempts"}, {"'unique_key':''", "unique_key"},
                {"'unique_key':'a\\nb'", "unique_key"}, {"'unique_key':'" + "k".repeat(201) + "'", "unique_key"},
                {"'unique_key':5", "unique_key"}};
        for (String[] t : top) {
            job("{'command':" + OK + "," + t[0] + "}", 400, t[1]);
        }
    }

    /** Addresses in every spelling, as the url of the command and of both callbacks. */
    private void addresses() {
        String m = machine.getHostAddress();
        String[] always = {"169.254.169.254", "169.254.169.254.", "0xa9fea9fe", "0xA9FEA9FE", "2852039166",
                "0251.0376.0251.0376", "0251.254.169.254", "169.254.43518", "169.16689662", "0xa9.0xfe.0xa9.0xfe",
                "0xa9.254.0251.0xfe", "0x00a9fea9fe", "00000000251.0376.0251.0376", "[::ffff:169.254.169.254]",
                "[::ffff:a9fe:a9fe]", "[0:0:0:0:0:ffff:a9fe:a9fe]", "[::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]",
                "[2002:a9fe:a9fe::1]", "[fd00:ec2::254]", "[FD00:EC2:0:0:0:0:0:254]", "[fd00:0ec2::0254]",
                "[fe80::1]", "[fe80::1%25eth0]", "[febf::1]", "169.254.0.1", "169.254.255.255", "0.0.0.0", "0",
                "0x0", "[::]", "[::ffff:0.0.0.0]", "224.0.0.1", "[ff02::1]", "255.255.255.255", "4294967295",
                "100.100.100.200", "metadata.google.internal", "METADATA.GOOGLE.INTERNAL.", "metadata.goog",
                "169.0254.170.2", "168.063.129.16", "010.0.0.1", "0x7f.0.0.1", "0127.0.0.1", "127.000.000.001",
                "08.8.8.8", "1.2.3.4.5"};
        String[] internal = {"127.0.0.1", "127.1", "0x7f000001", "2130706433", "0177.0.0.1", "0177.1", "127.0.1",
                "127.255.255.254", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
                "[64:ff9b::7f00:1]", "localhost", "LOCALHOST", "localhost.", "queue.localhost", m, "10.0.0.1",
                "172.16.0.1", "192.168.0.1", "100.64.0.1", "[fc00::1]", "[fd12:3456::1]"};
        List<String> hosts = new ArrayList<>(List.of(always));
        hosts.addAll(List.of(internal));
        for (String host : hosts) {
            String url = "http://" + host + ":" + canary.port + "/refused?job=__JOBID__";
            job(withCommand(http(url)), 403, "command.url");
            job("{'command':" + OK + ",'callback_done':" + http(url) + "}", 403, "callback_done.url");
            job("{'command':" + OK + ",'callback_failed':{'type':'http','method':'POST','url':'" + url + "'}}", 403,
                    "callback_failed.url");
        }
        job(withCommand(http("https://127.0.0.1:" + canary.port + "/")), 403, "command.url");
    }

    private void exec() {
        String a = Scripts.ALLOWED.toString();
        String f = Scripts.FORBIDDEN.toString();
        String[] refusedArgv = {"/bin/sh','-c','" + f + "/mark.sh", "sh", "id", "/usr/bin/id", "/bin/bash", f + "/mark.sh",
                a + "/../forbidden/mark.sh", a + "/link.sh", a.toUpperCase() + "/SOMESCRIPT.SH", a + "/SomeScript.sh",
                a + "//..//forbidden/mark.sh", "it-scripts/allowed/somescript.sh", "./mark.sh", "../forbidden/mark.sh",
                a, a + "/", a + "/missing.sh", a + "/noexec.sh", "/home/michael/scripts/somescript.sh",
                "/bin/echo','-e','x", "/bin/echo','--help", "/bin/echo','ok','-n", "/usr/bin/env','" + f + "/mark.sh",
                a + "/somescript.sh/", "/proc/self/root" + f + "/mark.sh", "/proc/self/root" + a + "/link.sh"};
        for (String argv : refusedArgv) {
            job(withCommand("{'type':'exec','argv':['" + argv + "']}"), 403, "command.argv");
        }
        for (String cmd : new String[] {f + "/mark.sh", "mark.sh", "/home/michael/scripts/somescript.sh", "/bin/echo -n x",
                "/bin/echo ok --version", a + "/link.sh", "sh -c id"}) {
            job(withCommand("{'type':'exec','cmd':'" + cmd + "'}"), 403, "command.cmd");
        }
        for (String cmd : new String[] {a + "/somescript.sh; " + f + "/mark.sh", a + "/somescript.sh | sh",
                a + "/somescript.sh $(" + f + "/mark.sh)", a + "/somescript.sh `" + f + "/mark.sh`",
                a + "/somescript.sh && " + f + "/mark.sh", a + "/somescript.sh > /tmp/x", a + "/somescript.sh\\n" + f + "/mark.sh",
                a + "/somescript.sh *", "~/x", a + "/somescript.sh \\u0027unterminated", a + "/somescript.sh $HOME",
                a + "/somescript.sh & " + f + "/mark.sh", "", "   ", a + "/somescript.sh \\\\"}) {
            job(withCommand("{'type':'exec','cmd':'" + cmd + "'}"), 400, "command.cmd");
        }
        String s = a + "/somescript.sh";
        String[][] shape = {{"'cmd':'" + s + "','argv':['" + s + "']", "command.argv"}, {"'timeout':5", "command.cmd"},
                {"'argv':[]", "command.argv"}, {"'argv':'" + s + "'", "command.argv"}, {"'argv':[5]", "command.argv[0]"},
                {"'argv':['']", "command.argv[0]"}, {"'argv':['" + s + "',{}]", "command.argv[1]"},
                {"'argv':['" + s + "\\u0000']", "command.argv[0]"}, {"'cmd':5", "command.cmd"},
                {"'cmd':'" + s + "','timeout':0", "command.timeout"}, {"'cmd':'" + s + "','env':'x'", "command.env"},
                {"'cmd':'" + s + "','env':{'BAD-NAME':'1'}", "command.env.BAD-NAME"},
                {"'cmd':'" + s + "','env':{'GREETING':{}}", "command.env.GREETING"}};
        for (String[] c : shape) {
            job(withCommand("{'type':'exec'," + c[0] + "}"), 400, c[1]);
        }
        for (String name : new String[] {"LD_PRELOAD", "PATH", "LD_LIBRARY_PATH", "BASH_ENV", "ENV", "HOME", "SHELLOPTS",
                "QUEUE_API_TOKENS", "BASH_FUNC_echo", "LD_AUDIT"}) {
            job(withCommand("{'type':'exec','cmd':'" + s + "','env':{'" + name + "':'/tmp/x'}}"), 403, "command.env." + name);
        }
        job("{'command':" + OK + ",'callback_done':{'type':'exec','argv':['" + f + "/mark.sh']}}", 403, "callback_done.argv");
        job("{'command':" + OK + ",'callback_failed':{'type':'exec','cmd':'" + f + "/mark.sh'}}", 403, "callback_failed.cmd");
    }

    private void sizesAndContentTypes() {
        byte[] big = ("{'context':'" + "x".repeat(262_144) + "','command':" + OK + "}").replace('\'', '"')
                .getBytes(StandardCharsets.UTF_8);
        raw("/jobs/add", "application/json", big, 413, "body");
        raw("/jobs", "application/json", big, 413, "body");
        byte[] bigInBatch = ("[{'command':" + OK + "},{'note':'" + "x".repeat(262_144) + "','command':" + OK + "}]")
                .replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        raw("/jobs", "application/json", bigInBatch, 413, "[1]");
        raw("/jobs", "application/json", new byte[16_777_217], 413, "body");
        raw("/jobs/add", "application/x-www-form-urlencoded", new byte[262_145], 413, "body");
        byte[] valid = ("{'command':" + OK + "}").replace('\'', '"').getBytes(StandardCharsets.UTF_8);
        for (String type : new String[] {"text/plain", "application/xml", "text/html", "multipart/form-data; boundary=x",
                "application/octet-stream", "image/png", "text/json", "application/jsonx", "text/xml"}) {
            raw("/jobs/add", type, valid, 415, "Content-Type");
            raw("/jobs", type, valid, 415, "Content-Type");
        }
        String form = "application/x-www-form-urlencoded";
        raw("/jobs/add", form, bytes("command[type]=http&command[url]=ftp://example.com/"), 400, "command.url");
        raw("/jobs/add", form, bytes("priority=x&command[type]=http&command[url]=https://example.com/"), 400, "priority");
        raw("/jobs/add", form, bytes("command[type]=exec&command[cmd]=" + Scripts.FORBIDDEN + "/mark.sh"), 403, "command.cmd");
        raw("/jobs/add", form, bytes("command[type]=http&command[url]=http://169.254.169.254/"), 403, "command.url");
        raw("/jobs/add", form, bytes("command[type]=http&command[url]=https://example.com/&command[headers][X]=a%0d%0ab"),
                400, "command.headers.X");
        raw("/jobs/add", form, bytes("a=1&".repeat(201)), 400, "body");
        raw("/jobs", "application/json", bytes("[]"), 400, "body");
        raw("/jobs", "application/json", bytes("[1]"), 400, "[0]");
        raw("/jobs", "application/json", bytes(("[{'command':" + OK + "},{}]").replace('\'', '"')), 400, "[1].command");
        raw("/jobs", "application/json", bytes(("[{'command':" + OK + "},{'command':" + http("http://0xa9fea9fe/") + "}]")
                .replace('\'', '"')), 403, "[1].command.url");
        raw("/jobs/get", "application/json", bytes("{\"limit\":0}"), 400, "limit");
        raw("/jobs/get", "application/json", bytes("{\"id\":{}}"), 400, "id");
        raw("/jobs/get", "application/json", bytes("{\"id\":\"everything\"}"), 400, "id");
        raw("/jobs/get/summary", "application/json", bytes("{\"count\":-1}"), 400, "count");
        raw("/jobs/get/summary", "text/plain", bytes("{}"), 415, "Content-Type");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyHostileRequestIsRefusedAndLeavesNoTrace() throws Exception {
        framing();
        types();
        addresses();
        exec();
        sizesAndContentTypes();
        assertTrue(cases.size() >= 300, "catalogue size " + cases.size());
        assertTrue(Machine.server().isPresent(), "the server process is found, so its children can be watched");

        Api api = new Api(base);
        int stored = api.get("/jobs/status").data().getInt("all_jobs");
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            Api.Answer a = api.postBytes(c.path(), c.contentType(), c.body());
            String problem = check(c, a);
            int now = api.get("/jobs/status").data().getInt("all_jobs");
            if (problem == null && now != stored) {
                problem = "a job was stored (all_jobs " + stored + " -> " + now + ")";
            }
            stored = now;
            if (problem == null && canary.connections.get() > 0) {
                problem = "the canary was connected to";
            }
            if (problem == null && !Machine.childrenOfServer().isEmpty()) {
                problem = "the server started a process: " + Machine.childrenOfServer();
            }
            if (problem != null) {
                failures.add(c.label().replace("\n", "\\n").replace("\r", "\\r") + "\n    -> " + problem);
            }
        }
        for (String gets : new String[] {"/jobs/status/abc", "/jobs/get/everything", "/jobs/delete/1x", "/jobs/status/-1",
                "/jobs/get/99999999999999999999"}) {
            Api.Answer a = api.get(gets);
            if (a.status() != 400 || !"id".equals(field(a))) {
                failures.add("GET " + gets + " -> " + a.status() + " " + a.body());
            }
        }
        Api.sleep(1500);
        assertEquals(0, canary.connections.get(), "no connection to any refused target, also later");
        assertEquals(0, Scripts.markers(), "no refused script ran");
        assertEquals(stored, api.get("/jobs/status").data().getInt("all_jobs"));
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases failed:\n"
                + String.join("\n", failures));
        assertEquals("running", api.get("/").object().getString("status"), "the server is still up");
    }

    private static String check(Case c, Api.Answer a) {
        if (a.status() != c.status()) {
            return "status " + a.status() + " instead of " + c.status() + ": " + a.body();
        }
        if (!a.contentType().startsWith("application/problem+json")) {
            return "content type " + a.contentType();
        }
        String field = field(a);
        if (!c.field().equals(field)) {
            return "field '" + field + "' instead of '" + c.field() + "': " + a.body();
        }
        return null;
    }

    private static String field(Api.Answer a) {
        try {
            JsonObject problem = jakarta.json.Json.createReader(new StringReader(a.body())).readObject();
            return problem.getString("field", null);
        } catch (RuntimeException e) {
            return "(no JSON: " + a.body() + ")";
        }
    }
}
