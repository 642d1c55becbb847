package io.queueserver.store;

import io.queueserver.core.LimitRule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QUEUE_LIMITS: rules by key, or a deployment that stops naming what is wrong. */
class LimitDefaultsTest {
    @Test
    void rulesByKey() {
        List<LimitRule> rules = LimitDefaults.parse("{\"mailing\":{\"concurrency\":2},"
                + "\"host:api.stripe.com\":{\"rate\":[\"10/s\",\"1000/h\"]},\"*\":{\"paused\":true}}");
        assertEquals(3, rules.size());
        assertEquals(2, rules.get(0).concurrency());
        assertEquals(LimitRule.Kind.HOST, rules.get(1).kind());
        assertEquals(2, rules.get(1).rates().size());
        assertTrue(rules.get(2).paused());
    }

    @Test
    void aBadValueNamesItsKeyAndField() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> LimitDefaults.parse("{\"mailing\":{\"concurrency\":0}}"));
        assertTrue(e.getMessage().contains("'mailing'") && e.getMessage().contains("concurrency"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> LimitDefaults.parse("[1]"));
        assertThrows(IllegalStateException.class, () -> LimitDefaults.parse("{\"a*b*\":{}}"));
    }

    /** The upsert on the real schema (H2): a default never overwrites a rule; a change replaces it. */
    @Test
    void aDefaultFillsInAndAChangeReplaces() throws Exception {
        String url = "jdbc:h2:mem:limits;MODE=MySQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        TestSchema.migrate(url);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
            LimitRule two = LimitDefaults.parse("{\"k\":{\"concurrency\":2}}").get(0);
            LimitRule five = LimitDefaults.parse("{\"k\":{\"concurrency\":5,\"rate\":\"3/s\"}}").get(0);
            assertEquals(1, Limits.write(c, two, false));
            assertEquals(0, Limits.write(c, five, false), "a default does not overwrite");
            assertEquals(2, Limits.read(c).get(0).concurrency());
            Limits.write(c, five, true);
            assertEquals(5, Limits.read(c).get(0).concurrency(), "a change replaces");
            assertEquals("3/s", Limits.read(c).get(0).ratesText());
            LimitRule retrying = LimitDefaults.parse("{\"k\":{\"retry\":{\"max_attempts\":4,\"retry_on\":[404]}}}").get(0);
            Limits.write(c, retrying, true);
            assertEquals(retrying.retry(), Limits.read(c).get(0).retry(), "a key's retry policy is stored with its rule");
            assertEquals(null, Limits.read(c).get(0).concurrency());
        }
    }
}
