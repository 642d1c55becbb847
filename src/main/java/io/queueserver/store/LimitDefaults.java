package io.queueserver.store;

import io.queueserver.core.InvalidField;
import io.queueserver.core.Json;
import io.queueserver.core.LimitBody;
import io.queueserver.core.LimitRule;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code QUEUE_LIMITS}, the rules of a first start: {@code {"mailing":{"concurrency":2},"host:api.stripe.com":
 * {"rate":"10/s"}}}. At deployment each key that has no rule yet gets this one; a key with a rule keeps it, so what
 * was changed through the API survives restarts. A malformed value stops the deployment, naming the key and field.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
@TransactionManagement(TransactionManagementType.BEAN)
public class LimitDefaults {
    private static final Logger LOG = Logger.getLogger(LimitDefaults.class.getName());

    @Inject
    @ConfigProperty(name = "queue.limits")
    Optional<String> configured;

    @Inject
    Limits limits;

    @PostConstruct
    void apply() {
        if (configured.isEmpty() || configured.get().isBlank()) {
            return;
        }
        List<LimitRule> rules = parse(configured.get());
        try {
            int added = limits.addMissing(rules);
            LOG.info(() -> "QUEUE_LIMITS: " + added + " of " + rules.size() + " rules added (the others were set before)");
        } catch (SQLException e) {
            throw new IllegalStateException("QUEUE_LIMITS could not be stored: " + e.getMessage(), e);
        }
    }

    static List<LimitRule> parse(String text) {
        JsonObject object;
        try {
            object = Json.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalStateException("QUEUE_LIMITS must be a JSON object of rules by key, e.g."
                    + " {\"mailing\":{\"concurrency\":2}}: " + e.getMessage(), e);
        }
        List<LimitRule> rules = new ArrayList<>();
        object.forEach((key, body) -> {
            try {
                rules.add(LimitBody.parse(key, body));
            } catch (InvalidField e) {
                throw new IllegalStateException("QUEUE_LIMITS, key '" + key + "', " + e.field() + ": " + e.getMessage());
            }
        });
        return rules;
    }
}
