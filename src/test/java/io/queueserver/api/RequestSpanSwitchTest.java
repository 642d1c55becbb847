package io.queueserver.api;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestSpanSwitchTest {
    @Test
    void everyPathIsSkippedWhileTheSdkIsDisabledOrUnset() {
        for (String disabled : new String[] {null, "true", "TRUE", " true ", "yes"}) {
            assertEquals(".*", new RequestSpanSwitch(disabled).getValue("mp.opentracing.server.skip-pattern"),
                    "otel.sdk.disabled=" + disabled);
        }
    }

    @Test
    void nothingIsSkippedOnceTheSdkIsEnabled() {
        for (String enabled : new String[] {"false", "FALSE", " false"}) {
            RequestSpanSwitch source = new RequestSpanSwitch(enabled);
            assertNull(source.getValue("mp.opentracing.server.skip-pattern"), "otel.sdk.disabled=" + enabled);
            assertTrue(source.getPropertyNames().isEmpty());
        }
    }

    @Test
    void itRanksBelowTheApplicationsOwnProperties() {
        assertTrue(new RequestSpanSwitch(null).getOrdinal() < 100, "microprofile-config.properties has 100");
    }
}
