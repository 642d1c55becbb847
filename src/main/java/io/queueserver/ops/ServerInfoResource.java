package io.queueserver.ops;

import io.queueserver.core.Json;

import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code GET /}: the PHP original's "is it up" answer. */
@Path("/")
public class ServerInfoResource {
    static final String VERSION = readVersion();

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject info() {
        return Json.createObjectBuilder().add("version", VERSION).add("status", "running").build();
    }

    private static String readVersion() {
        try (InputStream in = ServerInfoResource.class.getClassLoader().getResourceAsStream("queue-server.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
