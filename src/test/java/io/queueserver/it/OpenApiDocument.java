package io.queueserver.it;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The served OpenAPI document as JSON: the schema of a response or request body, and what a JSON text violates of
 * a schema, checked by a JSON Schema validator in its OpenAPI 3.0 dialect ({@code nullable} and the rest), with
 * the document's {@code components} to resolve references against.
 */
final class OpenApiDocument {
    private static final AtomicInteger CHECKS = new AtomicInteger();
    final JsonObject json;

    OpenApiDocument(String served) {
        json = Json.createReader(new StringReader(served)).readObject();
    }

    /** The schema answers of {@code status} in {@code mediaType} have, following a reference to a shared response. */
    Optional<JsonValue> responseSchema(String method, String path, int status, String mediaType) {
        JsonObject responses = operation(method, path).getJsonObject("responses");
        JsonObject response = responses.getJsonObject(Integer.toString(status));
        if (response == null) {
            return Optional.empty();
        }
        return content(resolve(response), mediaType).map(m -> m.get("schema"));
    }

    /** The schema of the request body in {@code mediaType}. */
    Optional<JsonValue> requestSchema(String method, String path, String mediaType) {
        JsonObject body = operation(method, path).getJsonObject("requestBody");
        return body == null ? Optional.empty() : content(resolve(body), mediaType).map(m -> m.get("schema"));
    }

    private JsonObject operation(String method, String path) {
        return json.getJsonObject("paths").getJsonObject(path).getJsonObject(method.toLowerCase());
    }

    static Optional<JsonObject> content(JsonObject response, String mediaType) {
        JsonObject content = response.getJsonObject("content");
        return content == null || !content.containsKey(mediaType) ? Optional.empty()
                : Optional.of(content.getJsonObject(mediaType));
    }

    /** A response, parameter or example object, or the one its {@code $ref} names. */
    JsonObject resolve(JsonObject object) {
        if (!object.containsKey("$ref")) {
            return object;
        }
        JsonValue target = json;
        for (String step : object.getString("$ref").substring(2).split("/")) {
            target = target.asJsonObject().get(step.replace("~1", "/").replace("~0", "~"));
        }
        return resolve(target.asJsonObject());
    }

    /** What {@code instance} (a JSON text) violates of {@code schema}; empty when it conforms. */
    List<String> violations(JsonValue schema, String instance) {
        String uri = "https://queue-server.invalid/check-" + CHECKS.incrementAndGet() + ".json";
        JsonObject root = Json.createObjectBuilder().add("components", json.getJsonObject("components"))
                .add("x-check", schema).build();
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi30(),
                b -> b.schemas(Map.of(uri, root.toString())));
        return registry.getSchema(SchemaLocation.of(uri + "#/x-check")).validate(instance, InputFormat.JSON).stream()
                .map(error -> error.getInstanceLocation() + ": " + error.getMessage()).toList();
    }
}
