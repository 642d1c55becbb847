package io.queueserver.console;

import io.queueserver.core.Json;
import io.queueserver.security.RequestGrant;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.io.InputStream;
import java.net.URI;
import java.util.Map;

/**
 * The dashboard's files from {@code webapp/management/}. The REST API owns every path ({@code @ApplicationPath("/")}),
 * so the container would not serve them by itself. The page holds no data: every number comes from the API with
 * the visitor's token.
 */
@Path("management")
public class ManagementResource {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");
    private static final String POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self';"
            + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    @Context
    ServletContext servlet;

    @Context
    UriInfo uri;

    @Inject
    RequestGrant grant;

    /** What the caller's token may do, so the dashboard shows only what it allows. */
    @GET
    @Path("access")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject access() {
        JsonArrayBuilder contexts = Json.createArrayBuilder();
        grant.get().contexts().stream().sorted().forEach(contexts::add);
        return Json.createObjectBuilder().add("scope", grant.get().scope().label()).add("contexts", contexts).build();
    }

    /** {@code /management} becomes {@code /management/} so the page's relative links work at any context root. */
    @GET
    public Response page() {
        if (!uri.getAbsolutePath().getPath().endsWith("/")) {
            return Response.status(Response.Status.MOVED_PERMANENTLY)
                    .location(URI.create(uri.getAbsolutePath().getPath() + "/")).build();
        }
        return file("index.html");
    }

    @GET
    @Path("{file: [a-z0-9-]+\\.(html|css|js|svg)}")
    public Response file(@PathParam("file") String file) {
        InputStream in = servlet.getResourceAsStream("/management/" + file);
        if (in == null) {
            return Response.status(404).type("text/plain").entity("no such file").build();
        }
        CacheControl revalidate = new CacheControl();
        revalidate.setNoCache(true);
        return Response.ok(in, TYPES.get(file.substring(file.lastIndexOf('.') + 1)))
                .cacheControl(revalidate)
                .header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .build();
    }
}
