package io.queueserver.api;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class CommandSummaryTest {
    @Test
    void readsTheCommandFromAPrefixAndMasksIt() {
        String payload = "{\"command\":{\"type\":\"exec\",\"argv\":[\"/x\",\"--password\",\"p\",\"y\"],"
                + "\"url\":\"http://h/?token=t\",\"body\":\"" + "b".repeat(10_000) + "\"},\"context\":\"c\"}";
        JsonObject shown = CommandSummary.of(payload.substring(0, 200), "exec");
        assertEquals("[\"/x\",\"--password\",\"***\",\"y\"]", shown.getJsonArray("argv").toString());
        assertEquals("http://h/?token=***", shown.getString("url"));
        assertFalse(shown.containsKey("body"));
    }

    @Test
    void aPrefixCutInsideAValueShowsWhatCameBefore() {
        String head = "{\"command\":{\"type\":\"http\",\"method\":\"POST\",\"url\":\"http://h/very-long";
        JsonObject shown = CommandSummary.of(head, "http");
        assertEquals("POST", shown.getString("method"));
        assertFalse(shown.containsKey("url"));
        assertEquals("http", CommandSummary.of("not json", "http").getString("type"));
        assertEquals("http", CommandSummary.of(null, "http").getString("type"));
    }
}
