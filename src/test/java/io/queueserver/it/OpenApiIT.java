package io.queueserver.it;

import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The served /openapi: exactly the JAX-RS routes of the application (found by reflection, so a route added later
 * fails here until it is documented), a valid OpenAPI 3 document for a well-kept parser, every operation with
 * schemas and examples that conform to them, and real answers of this server that conform to their schemas.
 */
class OpenApiIT extends DeployedServerTest {

    /** "POST /jobs/{id}/cancel" for every resource method of the compiled application. */
    static Set<String> routes() throws IOException {
        java.nio.file.Path classes = java.nio.file.Path.of("target", "classes");
        Set<String> routes = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            for (java.nio.file.Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, OpenApiIT.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new AssertionError("cannot load " + name, e);
                }
                Path root = type.getAnnotation(Path.class);
                if (root == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (Annotation a : m.getAnnotations()) {
                        HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
                        if (verb != null) {
                            Path sub = m.getAnnotation(Path.class);
                            routes.add(verb.value() + " " + join(root.value(), sub == null ? "" : sub.value()));
                        }
                    }
                }
            }
        }
        return routes;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("\\{(\\w+)\\s*:[^}]*(\\{[^}]*}[^}]*)*}", "{$1}")
                .replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** The PHP original's routes, tagged {@code original} and no other. */
    static final Set<String> ORIGINAL = Set.of("GET /", "POST /jobs/add", "GET /jobs/status", "GET /jobs/status/{id}",
            "GET /jobs/get/{id}", "POST /jobs/get", "POST /jobs/get/summary", "GET /jobs/delete/{id}");
    static final Set<String> JSON_TYPES = Set.of("application/json", "application/problem+json");
    static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete", "head");

    private OpenApiDocument served() {
        Api.Answer served = new Api(base).get("/openapi", "Accept", "application/json");
        assertEquals(200, served.status(), served.body());
        return new OpenApiDocument(served.body());
    }

    /** "POST /jobs/add" → the operation object, for every operation of the document. */
    private static Map<String, JsonObject> operations(OpenApiDocument doc) {
        Map<String, JsonObject> operations = new java.util.TreeMap<>();
        doc.json.getJsonObject("paths").forEach((path, item) -> item.asJsonObject().forEach((verb, op) -> {
            if (VERBS.contains(verb)) {
                operations.put(verb.toUpperCase() + " " + path, op.asJsonObject());
            }
        }));
        return operations;
    }

    /** An operation that needs no token: its only security requirement is the empty one. */
    private static boolean open(JsonObject operation) {
        return operation.containsKey("security") && operation.getJsonArray("security").stream()
                .allMatch(requirement -> requirement.asJsonObject().isEmpty());
    }

    @Test
    void theDocumentListsEveryRouteAndOnlyThose() throws Exception {
        OpenApiDocument doc = served();
        Map<String, JsonObject> operations = operations(doc);
        Set<String> routes = routes();
        assertTrue(routes.size() >= 20, "routes found by reflection: " + routes);
        assertEquals(routes, operations.keySet());

        operations.forEach((route, operation) -> {
            Set<String> codes = operation.getJsonObject("responses").keySet();
            if (!open(operation)) {
                assertTrue(codes.containsAll(Set.of("401", "429")), route + ": " + codes);
            }
        });
        for (String submit : new String[] {"POST /jobs", "POST /jobs/add"}) {
            Set<String> codes = operations.get(submit).getJsonObject("responses").keySet();
            assertTrue(codes.containsAll(Set.of("400", "403", "413", "415", "500", "503")), submit + ": " + codes);
        }
        String text = doc.json.toString();
        assertTrue(text.contains("urn:queue-server:problem:outcome-unknown"), "outcome-unknown documented");
        assertTrue(text.contains("QUEUE_BODY_MAX_BYTES") && text.contains("Queue-Server-Job"));
    }

    /** swagger-parser reads the served document, as JSON and as YAML, without a single message. */
    @Test
    void aWellKeptParserReadsTheServedDocumentWithoutMessages() {
        Api api = new Api(base);
        for (String accept : new String[] {"application/json", "*/*"}) { // YAML unless JSON is asked for
            Api.Answer served = api.get("/openapi", "Accept", accept);
            assertEquals(200, served.status(), accept);
            ParseOptions options = new ParseOptions();
            options.setResolve(true);
            SwaggerParseResult result = new OpenAPIV3Parser().readContents(served.body(), null, options);
            assertEquals(List.of(), result.getMessages(), accept);
            assertNotNull(result.getOpenAPI(), accept);
            var bearer = result.getOpenAPI().getComponents().getSecuritySchemes().get("bearer");
            assertEquals("bearer", bearer.getScheme(), accept);
            assertEquals("http", bearer.getType().toString(), accept);
            assertTrue(result.getOpenAPI().getPaths().size() >= 20, accept);
            assertEquals(accept.equals("*/*"), served.body().startsWith("openapi: "), "the format asked for: " + accept);
        }
    }

    /**
     * What a client generator or reader needs of every operation: an id, a summary and tags (the original's routes
     * tagged {@code original}); every JSON body and answer a schema that says more than "an object" and an example
     * that conforms to it.
     */
    @Test
    void everyOperationHasSchemasAndExamplesThatConform() {
        OpenApiDocument doc = served();
        List<String> missing = new ArrayList<>();
        Set<String> operationIds = new java.util.HashSet<>();
        operations(doc).forEach((route, operation) -> {
            if (operation.getString("operationId", "").isBlank() || !operationIds.add(operation.getString("operationId"))) {
                missing.add(route + ": a unique operationId");
            }
            if (operation.getString("summary", "").isBlank()) {
                missing.add(route + ": a summary");
            }
            JsonArray tags = operation.getJsonArray("tags");
            boolean original = tags != null && tags.stream().anyMatch(t -> t.toString().equals("\"original\""));
            if (tags == null || tags.isEmpty() || original != ORIGINAL.contains(route)) {
                missing.add(route + ": tags, `original` exactly on the original's routes (" + tags + ")");
            }
            if (operation.containsKey("requestBody")) {
                JsonObject content = doc.resolve(operation.getJsonObject("requestBody")).getJsonObject("content");
                content.forEach((type, media) -> {
                    if (JSON_TYPES.contains(type)) {
                        checkMedia(doc, route + " request " + type, media.asJsonObject(), missing);
                    }
                });
            }
            operation.getJsonObject("responses").forEach((code, ref) -> {
                JsonObject response = doc.resolve(ref.asJsonObject());
                JsonObject content = response.getJsonObject("content");
                if (content == null) {
                    if (code.startsWith("2") && !code.equals("204")) {
                        missing.add(route + " " + code + ": content");
                    }
                    return;
                }
                content.forEach((type, media) -> {
                    if (JSON_TYPES.contains(type)) {
                        checkMedia(doc, route + " " + code + " " + type, media.asJsonObject(), missing);
                    }
                });
            });
        });
        assertEquals(List.of(), missing);
    }

    private static void checkMedia(OpenApiDocument doc, String where, JsonObject media, List<String> missing) {
        JsonValue schema = media.get("schema");
        if (!(schema instanceof JsonObject s) || !described(doc, s)) {
            missing.add(where + ": a schema with properties, items, a choice or a reference (" + schema + ")");
            return;
        }
        List<JsonValue> examples = new ArrayList<>();
        if (media.containsKey("example")) {
            examples.add(media.get("example"));
        }
        if (media.containsKey("examples")) {
            media.getJsonObject("examples").values().forEach(e -> examples.add(doc.resolve(e.asJsonObject()).get("value")));
        }
        if (examples.isEmpty()) {
            missing.add(where + ": an example");
        }
        for (JsonValue example : examples) {
            List<String> violations = doc.violations(schema, example.toString());
            if (!violations.isEmpty()) {
                missing.add(where + ": its example conforms, but " + violations);
            }
        }
    }

    private static boolean described(OpenApiDocument doc, JsonObject schema) {
        JsonObject s = doc.resolve(schema);
        return Set.of("properties", "items", "oneOf", "anyOf", "allOf", "enum", "additionalProperties").stream()
                .anyMatch(s::containsKey);
    }

    /** Runs the scenario against a local target; every answer it checks must conform to its schema. */
    private void answersConform(Scenario scenario) throws Exception {
        OpenApiDocument doc = served();
        List<String> failures = new ArrayList<>();
        try (RecordingTarget target = new RecordingTarget()) {
            scenario.run(new Api(base), checker(doc, failures), target, doc);
        }
        assertEquals(List.of(), failures);
    }

    /** Collects where an answer does not conform to the schema the document gives for its route, status and type. */
    private static Checker checker(OpenApiDocument doc, List<String> failures) {
        return (method, path, answer) -> {
            String type = answer.contentType().replaceAll(";.*", "").trim();
            JsonValue schema = doc.responseSchema(method, path, answer.status(), type).orElse(null);
            if (schema == null) {
                failures.add(method + " " + path + ": no schema for " + answer.status() + " " + type + ": " + answer.body());
                return answer;
            }
            doc.violations(schema, answer.body()).forEach(v -> failures.add(method + " " + path + " " + answer.status()
                    + ": " + v + " in " + answer.body()));
            return answer;
        };
    }

    /** Real answers of this server conform to the schemas the document gives for their route, status and type. */
    @Test
    void realAnswersConformToTheirSchemas() throws Exception {
        answersConform((api, check, target, doc) -> {
            check.check("GET", "/", api.get("/"));
            check.check("GET", "/status", api.get("/status"));
            Api.Answer added = api.postJson("/jobs/add", "{\"priority\":800,\"context\":\"openapi\",\"command\":{\"type\":"
                    + "\"http\",\"url\":\"" + target.url("/openapi-work?job=__JOBID__") + "\",\"headers\":{\"Authorization\":"
                    + "\"Bearer s3cr3t\"}},\"callback_done\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-done")
                    + "\",\"method\":\"POST\"}}");
            check.check("POST", "/jobs/add", added);
            long id = Long.parseLong(added.object().getString("job_id"));
            api.awaitFinal(id);
            target.awaitHit("/openapi-done", 10_000);
            api.awaitJob(id, j -> j.getJsonArray("callbacks").stream()
                    .anyMatch(c -> c.asJsonObject().getString("state").equals("delivered")), Duration.ofSeconds(10));
            check.check("GET", "/jobs/status", api.get("/jobs/status"));
            check.check("GET", "/jobs/status/{id}", api.get("/jobs/status/" + id));
            check.check("GET", "/jobs/get/{id}", api.get("/jobs/get/" + id));
            check.check("GET", "/jobs/get/{id}", api.get("/jobs/get/done"));
            check.check("POST", "/jobs/get", api.postJson("/jobs/get", "{\"id\":\"all\",\"limit\":5}"));
            check.check("POST", "/jobs/get/summary", api.postJson("/jobs/get/summary", "{\"count\":3}"));
            check.check("GET", "/jobs/{id}", api.get("/jobs/" + id));
            check.check("GET", "/jobs", api.get("/jobs?limit=5&context=openapi"));

            Api.Answer later = api.postJson("/jobs", "{\"delay\":3600,\"unique_key\":\"openapi-" + System.nanoTime()
                    + "\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-later") + "\"}}");
            check.check("POST", "/jobs", later);
            long scheduled = later.object().getJsonNumber("id").longValue();
            check.check("GET", "/jobs/{id}", api.get("/jobs/" + scheduled));
            check.check("POST", "/jobs/{id}/cancel", api.post("/jobs/" + scheduled + "/cancel", null, ""));
            check.check("POST", "/jobs/{id}/retry", api.post("/jobs/" + scheduled + "/retry", null, ""));
            check.check("POST", "/jobs/{id}/cancel", api.post("/jobs/" + scheduled + "/cancel", null, ""));
            check.check("POST", "/jobs/{id}/cancel", api.post("/jobs/" + id + "/cancel", null, ""));
            check.check("POST", "/jobs", api.postJson("/jobs", "[{\"context\":\"openapi\",\"command\":{\"type\":\"http\","
                    + "\"url\":\"" + target.url("/openapi-batch") + "\"}}]"));
            check.check("POST", "/jobs/retry", api.post("/jobs/retry?context=openapi-none", null, ""));

            check.check("POST", "/jobs/add", api.postJson("/jobs/add", "{\"command\":{\"type\":\"http\",\"url\":\"ftp://x\"}}"));
            check.check("POST", "/jobs", api.postJson("/jobs", "{\"command\":{\"type\":\"exec\",\"argv\":[\"/bin/true\"]}}"));
            check.check("POST", "/jobs/add", api.post("/jobs/add", "text/csv", "a,b"));
            check.check("GET", "/jobs/status/{id}", api.get("/jobs/status/999999999"));
            check.check("GET", "/jobs/{id}", api.get("/jobs/999999999"));
            check.check("GET", "/jobs/delete/{id}", api.get("/jobs/delete/999999999"));

            String key = "/limits/" + URLEncoder.encode("openapi-key", StandardCharsets.UTF_8);
            check.check("PUT", "/limits/{key}", api.send(HttpRequest.newBuilder(api.uri(key))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"concurrency\":2,\"rate\":\"10/s\",\"burst\":20}")),
                    "Content-Type", "application/json"));
            check.check("GET", "/limits", api.get("/limits"));
            check.check("GET", "/limits/{key}", api.get(key));
            check.check("POST", "/limits/{key}/pause", api.post(key + "/pause", null, ""));
            check.check("POST", "/limits/{key}/resume", api.post(key + "/resume", null, ""));
            assertEquals(204, api.send(HttpRequest.newBuilder(api.uri(key)).DELETE()).status());
            check.check("GET", "/limits/{key}", api.get(key));
            check.check("GET", "/management/access", api.get("/management/access"));
        });
    }

    /**
     * Waiting for a result (GET /jobs/{id}/wait and Prefer: wait on POST /jobs), a job blocked by depends_on, and the
     * answers of deduplication: a duplicate's 200 in each mode, a rejected one's 409, a batch of duplicates, /jobs/add.
     */
    @Test
    void waitingDependingAndDeduplicatingAnswersConform() throws Exception {
        answersConform((api, check, target, doc) -> {
            String run = Long.toString(System.nanoTime());
            String quick = "{\"context\":\"openapi-wait\",\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/openapi-wait") + "\"}}";
            Api.Answer waited = check.check("POST", "/jobs", api.postJson("/jobs", quick, "Prefer", "wait=30"));
            assertEquals(201, waited.status(), waited.body());
            assertEquals("wait=30", waited.raw().headers().firstValue("Preference-Applied").orElse(null));
            assertEquals("done", waited.object().getString("state"), "the answer waited for the result");
            long done = waited.object().getJsonNumber("id").longValue();
            assertEquals(200, check.check("GET", "/jobs/{id}/wait", api.get("/jobs/" + done + "/wait?timeout=5")).status());

            String later = "{\"context\":\"openapi-wait\",\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/openapi-later") + "\"}}";
            Api.Answer pending = check.check("POST", "/jobs", api.postJson("/jobs", later, "Prefer", "respond-async, wait=0"));
            assertEquals(202, pending.status(), pending.body());
            assertEquals("wait=0", pending.raw().headers().firstValue("Preference-Applied").orElse(null));
            long scheduled = pending.object().getJsonNumber("id").longValue();
            assertTrue(pending.raw().headers().firstValue("Location").orElse("").endsWith("/jobs/" + scheduled));
            assertEquals(202, check.check("GET", "/jobs/{id}/wait", api.get("/jobs/" + scheduled + "/wait?timeout=0")).status());
            assertEquals(400, check.check("GET", "/jobs/{id}/wait", api.get("/jobs/" + scheduled + "/wait?timeout=100000")).status());
            assertEquals(404, check.check("GET", "/jobs/{id}/wait", api.get("/jobs/999999999/wait?timeout=0")).status());
            assertEquals(400, check.check("POST", "/jobs", api.postJson("/jobs", later, "Prefer", "wait=soon")).status());

            Api.Answer dependent = check.check("POST", "/jobs", api.postJson("/jobs", "{\"context\":\"openapi-wait\","
                    + "\"depends_on\":[" + scheduled + ",{\"job\":" + done + ",\"on_failure\":\"continue\"}],"
                    + "\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-after") + "\"}}"));
            assertEquals(201, dependent.status(), dependent.body());
            long blocked = dependent.object().getJsonNumber("id").longValue();
            assertEquals("blocked", check.check("GET", "/jobs/{id}", api.get("/jobs/" + blocked)).object().getString("state"));
            check.check("GET", "/jobs", api.get("/jobs?state=blocked&context=openapi-wait"));
            check.check("GET", "/jobs/get/{id}", api.get("/jobs/get/blocked"));
            check.check("GET", "/jobs/status", api.get("/jobs/status"));
            check.check("POST", "/jobs/get/summary", api.postJson("/jobs/get/summary", "{\"count\":3}"));

            for (String mode : new String[] {"return_existing", "replace", "debounce"}) {
                String job = "{\"context\":\"openapi-dedup\",\"unique\":{\"key\":\"openapi-" + mode + "-" + run
                        + "\",\"on_conflict\":\"" + mode + "\"" + (mode.equals("debounce") ? ",\"delay\":3600" : "")
                        + "},\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-dedup") + "\"}}";
                Api.Answer first = check.check("POST", "/jobs", api.postJson("/jobs", job));
                assertEquals(201, first.status(), first.body());
                Api.Answer duplicate = check.check("POST", "/jobs", api.postJson("/jobs", job));
                assertEquals(200, duplicate.status(), duplicate.body());
                assertTrue(duplicate.object().getBoolean("deduplicated"), duplicate.body());
                Api.Answer shown = check.check("GET", "/jobs/{id}", api.get("/jobs/" + first.object().getJsonNumber("id")));
                assertEquals(1, shown.object().getJsonObject("unique").getInt("absorbed"), shown.body());
            }
            String rejecting = "{\"context\":\"openapi-dedup\",\"unique\":{\"key\":\"openapi-reject-" + run
                    + "\",\"on_conflict\":\"reject\"},\"delay\":3600,\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/openapi-dedup") + "\"}}";
            long holder = check.check("POST", "/jobs", api.postJson("/jobs", rejecting)).object().getJsonNumber("id").longValue();
            Api.Answer rejected = check.check("POST", "/jobs", api.postJson("/jobs", rejecting));
            assertEquals(409, rejected.status(), rejected.body());
            assertEquals(holder, rejected.object().getJsonNumber("existing_job_id").longValue());
            assertEquals(409, check.check("POST", "/jobs/add", api.postJson("/jobs/add", rejecting)).status());
            assertEquals(409, check.check("POST", "/jobs", api.postJson("/jobs", "[" + rejecting + "]")).status());

            String keyed = "{\"context\":\"openapi-dedup\",\"unique_key\":\"openapi-batch-" + run + "\",\"delay\":3600,"
                    + "\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-dedup") + "\"}}";
            assertEquals(201, check.check("POST", "/jobs", api.postJson("/jobs", "[" + keyed + "]")).status());
            assertEquals(200, check.check("POST", "/jobs", api.postJson("/jobs", "[" + keyed + "]")).status(),
                    "a list of duplicates only");
            Api.Answer added = check.check("POST", "/jobs/add", api.postJson("/jobs/add", keyed));
            assertTrue(added.object().getBoolean("deduplicated"), added.body());
        });
    }

    /**
     * Batches (created, open, added to, closed, completed with their callbacks delivered, one failing) and workflows
     * (created, shown with their graph, cancelled, refused), as the server answers them.
     */
    @Test
    void batchAndWorkflowAnswersConform() throws Exception {
        answersConform((api, check, target, doc) -> {
            String job = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-batch-job") + "\"}}";
            String failing = "{\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fail") + "\"}}";
            String callback = "{\"type\":\"http\",\"method\":\"POST\",\"url\":\"" + target.url("/openapi-batch-over?batch=__BATCHID__") + "\"}";
            Api.Answer created = check.check("POST", "/batches", api.postJson("/batches", "{\"context\":\"openapi-batch\","
                    + "\"jobs\":[" + job + "," + failing + "],\"on_complete\":" + callback + ",\"on_failure\":" + callback + "}"));
            assertEquals(201, created.status(), created.body());
            long batch = created.object().getJsonNumber("id").longValue();
            long failed = created.object().getJsonArray("jobs").getJsonNumber(1).longValue();
            api.awaitObject("/batches/" + batch, b -> b.getJsonArray("callbacks").size() == 2 && b.getJsonArray("callbacks")
                    .stream().allMatch(c -> c.asJsonObject().getString("state").equals("delivered")), Duration.ofSeconds(30));
            check.check("GET", "/batches/{id}", api.get("/batches/" + batch));
            Api.Answer failedJob = check.check("GET", "/jobs/{id}", api.get("/jobs/" + failed));
            assertTrue(failedJob.body().contains("batch_failure"), failedJob.body());
            assertEquals(batch, failedJob.object().getJsonNumber("batch_id").longValue());
            Api.Answer ofBatch = check.check("GET", "/jobs", api.get("/jobs?batch=" + batch));
            assertEquals(2, ofBatch.object().getJsonArray("jobs").size(), ofBatch.body());
            check.check("GET", "/batches", api.get("/batches?limit=1"));
            assertEquals(400, check.check("GET", "/batches", api.get("/batches?limit=0")).status());

            Api.Answer open = check.check("POST", "/batches", api.postJson("/batches", "{\"open\":true,\"jobs\":[]}"));
            assertEquals(201, open.status(), open.body());
            String opened = "/batches/" + open.object().getJsonNumber("id");
            assertEquals(201, check.check("POST", "/batches/{id}/jobs", api.postJson(opened + "/jobs", "{\"jobs\":[" + job + "]}")).status());
            assertEquals(201, check.check("POST", "/batches/{id}/jobs", api.postJson(opened + "/jobs", "[" + job + "]")).status());
            assertEquals(400, check.check("POST", "/batches/{id}/jobs", api.postJson(opened + "/jobs", "{\"jobs\":[]}")).status());
            assertEquals(200, check.check("POST", "/batches/{id}/close", api.post(opened + "/close", null, "")).status());
            assertEquals(409, check.check("POST", "/batches/{id}/jobs", api.postJson(opened + "/jobs", "[" + job + "]")).status());
            assertEquals(404, check.check("GET", "/batches/{id}", api.get("/batches/999999999")).status());
            assertEquals(400, check.check("POST", "/batches", api.postJson("/batches", "{\"jobs\":[{\"unique\":{\"key\":\"k\"},"
                    + "\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/x") + "\"}}]}")).status());

            Api.Answer workflow = check.check("POST", "/workflows", api.postJson("/workflows", "{\"context\":\"openapi-flow\","
                    + "\"jobs\":[{\"name\":\"a\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-a") + "\"}},"
                    + "{\"name\":\"b\",\"depends_on\":[\"a\"],\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/openapi-b?from=__PARENT_OUTPUT__{a/path}") + "\"}},"
                    + "{\"name\":\"c\",\"depends_on\":[{\"job\":\"b\",\"on_failure\":\"skip\"}],\"delay\":3600,"
                    + "\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/openapi-c") + "\"}}],"
                    + "\"on_success\":" + callback + "}"));
            assertEquals(201, workflow.status(), workflow.body());
            String flow = "/workflows/" + workflow.object().getJsonNumber("id");
            api.awaitObject(flow, w -> w.getJsonObject("states").containsKey("scheduled"), Duration.ofSeconds(30));
            Api.Answer graph = check.check("GET", "/workflows/{id}", api.get(flow));
            assertEquals(2, graph.object().getJsonObject("graph").getJsonArray("edges").size(), graph.body());
            assertEquals(1, check.check("POST", "/workflows/{id}/cancel", api.post(flow + "/cancel", null, "")).object()
                    .getInt("cancelled"));
            assertEquals(404, check.check("GET", "/workflows/{id}", api.get("/workflows/999999999")).status());
            assertEquals(400, check.check("POST", "/workflows", api.postJson("/workflows", "{\"jobs\":[{\"name\":\"a\","
                    + "\"depends_on\":[\"a\"],\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/x") + "\"}}]}")).status());
        });
    }

    /**
     * A retry policy on a key and the job that shows it, redrives (running, listed, stopped, refused), the circuit
     * breakers of /hosts (rows of queue_breaker as a breaker leaves them) and schedules, as the server answers them.
     */
    @Test
    void retryRedriveHostAndScheduleAnswersConform() throws Exception {
        answersConform((api, check, target, doc) -> {
            String key = "/limits/openapi-retry";
            check.check("PUT", "/limits/{key}", api.send(HttpRequest.newBuilder(api.uri(key)).PUT(HttpRequest.BodyPublishers
                    .ofString("{\"retry\":{\"max_attempts\":4,\"backoff\":{\"min\":1,\"max\":60},\"retry_on\":[404]}}")),
                    "Content-Type", "application/json"));
            check.check("GET", "/limits/{key}", api.get(key));
            check.check("GET", "/limits", api.get("/limits"));
            long retrying = api.postJson("/jobs", "{\"concurrency_key\":\"openapi-retry\",\"delay\":3600,\"command\":"
                    + "{\"type\":\"http\",\"url\":\"" + target.url("/openapi-retry") + "\"}}").object().getJsonNumber("id").longValue();
            // the rules a node applies are at most half a second old
            api.awaitJob(retrying, j -> j.containsKey("retry_policy"), Duration.ofSeconds(10));
            Api.Answer withPolicy = check.check("GET", "/jobs/{id}", api.get("/jobs/" + retrying));
            assertEquals(4, withPolicy.object().getJsonObject("retry_policy").getInt("max_attempts"), withPolicy.body());
            assertEquals(400, check.check("PUT", "/limits/{key}", api.send(HttpRequest.newBuilder(api.uri(key)).PUT(
                    HttpRequest.BodyPublishers.ofString("{\"retry\":{\"backoff\":{\"multiplier\":99}}}")),
                    "Content-Type", "application/json")).status());
            assertEquals(204, api.send(HttpRequest.newBuilder(api.uri(key)).DELETE()).status());

            String failing = "{\"context\":\"openapi-redrive\",\"command\":{\"type\":\"http\",\"url\":\"" + target.url("/fail") + "\"}}";
            api.awaitFinal(api.add(failing));
            api.awaitFinal(api.add(failing));
            Api.Answer redrive = check.check("POST", "/redrives", api.postJson("/redrives",
                    "{\"filter\":{\"context\":\"openapi-redrive\"},\"rate\":\"1/h\"}"));
            assertEquals(201, redrive.status(), redrive.body());
            assertEquals(2, redrive.object().getInt("matched"), redrive.body());
            String redriven = "/redrives/" + redrive.object().getJsonNumber("id");
            check.check("GET", "/redrives/{id}", api.get(redriven));
            check.check("GET", "/redrives", api.get("/redrives"));
            assertEquals("cancelled", check.check("DELETE", "/redrives/{id}", api.send(HttpRequest.newBuilder(api.uri(redriven))
                    .DELETE())).object().getString("state"));
            assertEquals(409, check.check("DELETE", "/redrives/{id}", api.send(HttpRequest.newBuilder(api.uri(redriven))
                    .DELETE())).status());
            Api.Answer none = check.check("POST", "/redrives", api.postJson("/redrives", "{\"filter\":{\"context\":"
                    + "\"openapi-none\",\"since\":\"2030-01-31T00:00:00Z\"},\"override\":{\"headers\":{\"X-Redriven\":\"1\","
                    + "\"Authorization\":\"Bearer s3cr3t\"}}}"));
            assertEquals("done", none.object().getString("state"), none.body());
            assertEquals(400, check.check("POST", "/redrives", api.postJson("/redrives", "{\"rate\":\"fast\"}")).status());
            assertEquals(404, check.check("GET", "/redrives/{id}", api.get("/redrives/999999999")).status());

            try (Connection c = DeployedServerTest.database(); Statement sql = c.createStatement()) {
                sql.executeUpdate("INSERT INTO queue_breaker (host, state, open_until, reason, opened, updated_at) VALUES"
                        + " ('open.openapi.invalid', 'open', TIMESTAMPADD(MINUTE, 5, LOCALTIMESTAMP(6)), '12 of the last 20"
                        + " requests failed', 1, LOCALTIMESTAMP(6)), ('probe.openapi.invalid', 'half_open', NULL, 'the"
                        + " last 3 connections were refused', 2, LOCALTIMESTAMP(6))");
                sql.executeUpdate("UPDATE queue_breaker SET probe_owner = 'queue-1:4711:1a2b3c4d', probe_until ="
                        + " TIMESTAMPADD(MINUTE, 1, LOCALTIMESTAMP(6)) WHERE host = 'probe.openapi.invalid'");
                try {
                    Api.Answer hosts = check.check("GET", "/hosts", api.get("/hosts"));
                    assertTrue(hosts.body().contains("\"probe_by\":\"queue-1:4711:1a2b3c4d\""), hosts.body());
                } finally {
                    sql.executeUpdate("DELETE FROM queue_breaker WHERE host LIKE '%.openapi.invalid'");
                }
            }

            String schedule = "/schedules/openapi-yearly";
            String definition = "{\"cron\":\"0 0 1 1 *\",\"timezone\":\"Europe/Berlin\",\"overlap\":\"skip\",\"job\":"
                    + "{\"context\":\"openapi-schedule\",\"command\":{\"type\":\"http\",\"url\":\""
                    + target.url("/openapi-tick?at=__FIRE_TIME__") + "\"}}}";
            Api.Answer put = check.check("PUT", "/schedules/{name}", api.send(HttpRequest.newBuilder(api.uri(schedule))
                    .PUT(HttpRequest.BodyPublishers.ofString(definition)), "Content-Type", "application/json"));
            assertEquals(201, put.status(), put.body());
            Api.Answer fired = check.check("POST", "/schedules/{name}/run", api.post(schedule + "/run", null, ""));
            assertEquals(201, fired.status(), fired.body());
            api.awaitFinal(fired.object().getJsonNumber("job_id").longValue());
            Api.Answer shown = check.check("GET", "/schedules/{name}", api.get(schedule));
            assertEquals(List.of(), doc.violations(doc.requestSchema("PUT", "/schedules/{name}", "application/json")
                    .orElseThrow(), shown.body()), "an answer is a body PUT takes");
            assertEquals(200, check.check("PUT", "/schedules/{name}", api.send(HttpRequest.newBuilder(api.uri(schedule))
                    .PUT(HttpRequest.BodyPublishers.ofString(shown.body())), "Content-Type", "application/json")).status(),
                    "an answer sent back replaces the schedule");
            check.check("GET", "/schedules", api.get("/schedules"));
            check.check("GET", "/schedules/{name}/runs", api.get(schedule + "/runs?limit=1"));
            assertEquals("paused", check.check("POST", "/schedules/{name}/pause", api.post(schedule + "/pause", null, ""))
                    .object().getString("state"));
            check.check("POST", "/schedules/{name}/resume", api.post(schedule + "/resume", null, ""));
            assertEquals(400, check.check("PUT", "/schedules/{name}", api.send(HttpRequest.newBuilder(api.uri(schedule))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"cron\":\"0 0 31 2 *\",\"job\":{}}")),
                    "Content-Type", "application/json")).status());
            assertEquals(204, api.send(HttpRequest.newBuilder(api.uri(schedule)).DELETE()).status());
            assertEquals(404, check.check("GET", "/schedules/{name}", api.get(schedule)).status());
        });
    }

    /** The check itself is no formality: answers that differ from the document in one member are caught. */
    @Test
    void answersThatDifferFromTheDocumentAreCaught() {
        OpenApiDocument doc = served();
        JsonValue status = doc.responseSchema("GET", "/jobs/status/{id}", 200, "application/json").orElseThrow();
        String good = "{\"status\":200,\"data\":{\"id\":1,\"worker_status\":3,\"state\":\"done\",\"priority\":500,"
                + "\"context\":\"default\",\"type\":\"http\",\"time_added\":\"2026-01-31 12:00:00\",\"time_started\":null,"
                + "\"time_completed\":null,\"run_at\":null,\"return_code\":null,\"attempts\":1,\"max_attempts\":1,"
                + "\"progress\":null}}";
        assertEquals(List.of(), doc.violations(status, good));
        assertFalse(doc.violations(status, good.replace("\"worker_status\":3", "\"worker_status\":\"3\"")).isEmpty());
        assertFalse(doc.violations(status, good.replace("\"priority\":500,", "")).isEmpty(), "a member missing");
        assertFalse(doc.violations(status, good.replace("\"type\":\"http\"", "\"type\":\"http\",\"extra\":1")).isEmpty());
        assertFalse(doc.violations(status, good.replace("2026-01-31 12:00:00", "2026-01-31T12:00:00Z")).isEmpty());
        assertFalse(doc.violations(status, good.replace("\"context\":\"default\"", "\"context\":null")).isEmpty(),
                "null where the document does not allow it");
        JsonValue problem = doc.responseSchema("POST", "/jobs/add", 400, "application/problem+json").orElseThrow();
        assertFalse(doc.violations(problem, "{\"status\":400}").isEmpty());

        catches(doc, doc.responseSchema("POST", "/jobs", 409, "application/problem+json").orElseThrow(),
                "{\"type\":\"about:blank\",\"title\":\"Conflict\",\"status\":409,\"detail\":\"exists\","
                        + "\"field\":\"unique.key\",\"existing_job_id\":42}",
                ",\"existing_job_id\":42", "");
        catches(doc, doc.responseSchema("GET", "/batches/{id}", 200, "application/json").orElseThrow(),
                "{\"id\":1,\"kind\":\"batch\",\"context\":\"default\",\"open\":false,\"total\":1,\"settled\":0,"
                        + "\"done\":0,\"failed\":0,\"states\":{\"waiting\":1},\"progress\":0,"
                        + "\"created_at\":\"2026-01-31T12:00:00.123456Z\",\"closed_at\":null,\"success_at\":null,"
                        + "\"complete_at\":null,\"failure_at\":null,\"callbacks\":[]}",
                "\"waiting\":1", "\"queued\":1", "\"kind\":\"batch\"", "\"kind\":\"group\"", ",\"callbacks\":[]", "");
        catches(doc, doc.responseSchema("POST", "/jobs", 200, "application/json").orElseThrow(),
                "{\"id\":1,\"state\":\"blocked\",\"worker_status\":0,\"priority\":500,\"context\":\"default\","
                        + "\"type\":\"http\",\"created_at\":\"2026-01-31T12:00:00.123456Z\",\"attempt\":0,\"max_attempts\":1,"
                        + "\"rescues\":0,\"snoozes\":0,\"deduplicated\":true,\"deduplication\":\"returned\",\"absorbed\":1}",
                "\"returned\"", "\"merged\"", "\"blocked\"", "\"held\"");
    }

    /** {@code good} conforms to {@code schema}; each replacement (pairs: a text, what replaces it) makes it not. */
    private static void catches(OpenApiDocument doc, JsonValue schema, String good, String... replacements) {
        assertEquals(List.of(), doc.violations(schema, good));
        for (int i = 0; i + 1 < replacements.length; i += 2) {
            assertFalse(doc.violations(schema, good.replace(replacements[i], replacements[i + 1])).isEmpty(),
                    replacements[i] + " replaced by " + replacements[i + 1]);
        }
    }

    interface Scenario {
        void run(Api api, Checker check, RecordingTarget target, OpenApiDocument doc) throws Exception;
    }

    interface Checker {
        /** Checks the answer and hands it back. */
        Api.Answer check(String method, String path, Api.Answer answer);
    }
}
