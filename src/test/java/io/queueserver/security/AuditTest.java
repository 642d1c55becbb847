package io.queueserver.security;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditTest {
    @Test
    void refusedSubmitsAreAuditedOnOneLine() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger audit = Logger.getLogger("io.queueserver.audit");
        audit.addHandler(handler);
        try {
            HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                        case "getRemoteAddr" -> "192.0.2.7";
                        case "getMethod" -> "POST";
                        case "getRequestURI" -> "/jobs/add";
                        default -> null;
                    });
            Audit.refusedRequest(403, request, "command.url", "refused\nforged line");
            Audit.refusedRequest(400, request, "priority", "must be a number");
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).equals("denied 403 POST /jobs/add from 192.0.2.7: command.url refused?forged line"),
                    lines.get(0));
        } finally {
            audit.removeHandler(handler);
        }
    }
}
