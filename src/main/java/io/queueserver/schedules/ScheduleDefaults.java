package io.queueserver.schedules;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Schedules declared for deployment as code: {@code QUEUE_SCHEDULES_FILE} (a JSON file) and {@code QUEUE_SCHEDULES}
 * (the same JSON in the environment), an object of schedules by name, each the body of
 * {@code PUT /schedules/{name}}. At deployment each one is stored when it is new or when its declaration changed
 * since it was last applied; otherwise the stored schedule stays as it is, with what was changed through the API.
 * Nodes starting together store it once. A malformed declaration stops the deployment, naming the schedule and the
 * field, before anything is stored.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@TransactionManagement(TransactionManagementType.BEAN)
public class ScheduleDefaults {
    private static final Logger LOG = Logger.getLogger(ScheduleDefaults.class.getName());

    @Inject
    @ConfigProperty(name = "queue.schedules")
    Optional<String> inline;

    @Inject
    @ConfigProperty(name = "queue.schedules.file")
    Optional<String> file;

    @Inject
    ScheduleParser parser;

    @Inject
    Schedules schedules;

    @PostConstruct
    void apply() {
        Map<String, JsonObject> declared = new LinkedHashMap<>();
        file.filter(f -> !f.isBlank()).ifPresent(f -> declarations("QUEUE_SCHEDULES_FILE " + f, read(Path.of(f)), declared));
        inline.filter(t -> !t.isBlank()).ifPresent(t -> declarations("QUEUE_SCHEDULES", t, declared));
        if (declared.isEmpty()) {
            return;
        }
        Map<String, Schedule> parsed = new LinkedHashMap<>();
        declared.forEach((name, body) -> {
            try {
                parsed.put(name, parser.parse(name, body));
            } catch (InvalidField e) {
                throw new IllegalStateException("declared schedule '" + name + "', " + e.field() + ": " + e.getMessage());
            }
        });
        Map<Schedules.Change, Integer> changes = new EnumMap<>(Schedules.Change.class);
        try {
            for (Map.Entry<String, Schedule> s : parsed.entrySet()) {
                changes.merge(schedules.declare(s.getValue(), digest(declared.get(s.getKey()))), 1, Integer::sum);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("declared schedules could not be stored: " + e.getMessage(), e);
        }
        LOG.info(() -> "declared schedules: " + parsed.size() + " (" + changes + ")");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("QUEUE_SCHEDULES_FILE " + path + " cannot be read: " + e, e);
        }
    }

    /** Adds the schedules of one source by name; a name declared twice stops the deployment. */
    static void declarations(String source, String text, Map<String, JsonObject> into) {
        JsonObject object;
        try {
            object = Json.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalStateException(source + " must be a JSON object of schedules by name, e.g."
                    + " {\"nightly\":{\"cron\":\"30 2 * * *\",\"job\":{…}}}: " + e.getMessage(), e);
        }
        object.forEach((name, body) -> {
            if (!(body instanceof JsonObject schedule)) {
                throw new IllegalStateException(source + ", schedule '" + name + "': must be an object");
            }
            if (into.putIfAbsent(name, schedule) != null) {
                throw new IllegalStateException(source + ", schedule '" + name + "': declared twice");
            }
        });
    }

    static String digest(JsonValue declaration) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(declaration.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
