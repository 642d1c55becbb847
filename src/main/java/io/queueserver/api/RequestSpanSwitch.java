package io.queueserver.api;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.Map;
import java.util.Set;

/**
 * Keeps Payara's JAX-RS tracing off while the OpenTelemetry SDK is disabled ({@code otel.sdk.disabled}, true unless
 * {@code OTEL_SDK_DISABLED=false} or {@code -Dotel.sdk.disabled=false}). Payara builds a server span for every request
 * whenever MicroProfile Telemetry is present, even with the SDK disabled, and nobody reads those spans: that was a
 * tenth of a single submit's CPU. Skipping every path ({@code mp.opentracing.server.skip-pattern}) turns it off; with
 * the SDK enabled this source is empty and requests are traced. A skip pattern set by the operator wins (this
 * source's ordinal is below the application's properties, the environment and system properties).
 */
public class RequestSpanSwitch implements ConfigSource {
    static final String SKIP_PATTERN = "mp.opentracing.server.skip-pattern";
    static final String EVERY_PATH = ".*";

    private final Map<String, String> properties;

    public RequestSpanSwitch() {
        this(System.getProperty("otel.sdk.disabled", System.getenv("OTEL_SDK_DISABLED")));
    }

    RequestSpanSwitch(String sdkDisabled) {
        boolean off = sdkDisabled == null || !sdkDisabled.trim().equalsIgnoreCase("false");
        properties = off ? Map.of(SKIP_PATTERN, EVERY_PATH) : Map.of();
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public String getValue(String name) {
        return properties.get(name);
    }

    @Override
    public String getName() {
        return "queue-server request span switch";
    }

    @Override
    public int getOrdinal() {
        return 50;
    }
}
