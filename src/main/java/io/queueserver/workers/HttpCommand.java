package io.queueserver.workers;

import io.queueserver.core.InvalidField;
import io.queueserver.core.ParentOutputs;
import io.queueserver.core.JsonFields;
import io.queueserver.security.OutgoingMark;
import io.queueserver.security.Redaction;
import io.queueserver.security.TargetGuard;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** A validated http command (of a job or of a callback). */
public record HttpCommand(URI url, String method, Map<String, String> params, Map<String, String> headers,
                          String body, JsonValue json, Duration timeout, Set<Integer> success,
                          boolean followRedirects, AnswerRules rules) {

    public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    /** Headers the HTTP client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "te", "trailer", "keep-alive", "proxy-connection",
            OutgoingMark.HEADER.toLowerCase(Locale.ROOT));
    /** Not sent again when a redirect leads to another scheme, host or port (with the body, as curl does). */
    private static final Set<String> CREDENTIALS = Set.of("authorization", "cookie", "proxy-authorization");
    private static final URI PROBE = URI.create("http://probe.invalid/");
    private static final int MAX_URL = 8192;
    public static final int MAX_HEADERS = 50;
    private static final int MAX_HEADER_VALUE = 8192;
    private static final int MAX_NAME = 256;
    private static final int MAX_PARAMS = 200;
    private static final long MAX_TIMEOUT_SECONDS = 86_400;

    public static HttpCommand parse(JsonFields f, int defaultTimeoutSeconds) {
        URI url = url(f);
        String method = f.string("method", "GET", 16).toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new InvalidField(f.field("method"), "must be one of " + new TreeSet<>(METHODS));
        }
        Map<String, String> params = scalars(f, "params", MAX_PARAMS, 65_536);
        Map<String, String> headers = scalars(f, "headers", MAX_HEADERS, MAX_HEADER_VALUE);
        headers.forEach((name, value) -> checkHeader(f, name, value));
        String body = f.string("body", null, 1 << 20);
        JsonValue json = f.has("json") ? f.object().get("json") : null;
        if (body != null && json != null) {
            throw new InvalidField(f.field("json"), "cannot be combined with body");
        }
        if ((body != null || json != null) && (method.equals("GET") || method.equals("HEAD"))) {
            throw new InvalidField(f.field(body != null ? "body" : "json"), "is not allowed with method " + method);
        }
        Duration timeout = Duration.ofSeconds(f.number("timeout", defaultTimeoutSeconds, 1, MAX_TIMEOUT_SECONDS));
        return new HttpCommand(url, method, params, headers, body, json, timeout, success(f),
                f.bool("follow_redirects", false), AnswerRules.parse(f));
    }

    private static URI url(JsonFields f) {
        String text = f.requiredString("url", MAX_URL);
        URI url;
        try {
            // a job waiting for its parents' outputs is checked with a stand-in for each; it runs with the values
            url = new URI(ParentOutputs.standIn(text));
        } catch (URISyntaxException e) {
            throw new InvalidField(f.field("url"), "is not a valid URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidField(f.field("url"), "must use http or https");
        }
        if (url.getRawUserInfo() != null || url.getRawAuthority() != null && url.getRawAuthority().contains("@")) {
            throw new InvalidField(f.field("url"), "must not contain credentials; use an Authorization header");
        }
        String host = TargetGuard.host(url);
        if (host == null || host.isEmpty()) {
            throw new InvalidField(f.field("url"), "has no host");
        }
        if (url.getPort() > 65535) {
            throw new InvalidField(f.field("url"), "has an invalid port");
        }
        return url;
    }

    private static Map<String, String> scalars(JsonFields f, String name, int maxEntries, int maxValue) {
        JsonObject object = f.object(name);
        Map<String, String> result = new LinkedHashMap<>();
        if (object == null) {
            return result;
        }
        if (object.size() > maxEntries) {
            throw new InvalidField(f.field(name), "has more than " + maxEntries + " entries");
        }
        object.forEach((key, value) -> {
            String field = f.field(name) + "." + key;
            if (key.isEmpty() || key.length() > MAX_NAME) {
                throw new InvalidField(f.field(name), "names must be 1 to " + MAX_NAME + " characters long");
            }
            String text = switch (value.getValueType()) {
                case STRING -> ((JsonString) value).getString();
                case NUMBER -> ((JsonNumber) value).toString();
                case TRUE -> "true";
                case FALSE -> "false";
                default -> throw new InvalidField(field, "must be a string, number or boolean");
            };
            if (text.length() > maxValue) {
                throw new InvalidField(field, "must be at most " + maxValue + " characters long");
            }
            result.put(key, text);
        });
        return result;
    }

    private static void checkHeader(JsonFields f, String name, String value) {
        String field = f.field("headers") + "." + name;
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
            throw new InvalidField(field, "is not a valid header name");
        }
        if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new InvalidField(field, "is set by the server and cannot be given");
        }
        try {
            // the client's own rules, exactly: tab, space, visible ASCII and U+0080-U+00FF
            HttpRequest.newBuilder(PROBE).header(name, value);
        } catch (IllegalArgumentException refused) {
            // the client's message quotes the value, which may be a secret
            throw new InvalidField(field, "has a character an HTTP header cannot carry (control characters, DEL"
                    + " and characters above U+00FF are refused)");
        }
    }

    private static Set<Integer> success(JsonFields f) {
        if (!f.has("success")) {
            return null;
        }
        if (!(f.object().get("success") instanceof JsonArray codes) || codes.isEmpty()) {
            throw new InvalidField(f.field("success"), "must be a non-empty array of status codes");
        }
        Set<Integer> result = new TreeSet<>();
        for (JsonValue code : codes) {
            if (!(code instanceof JsonNumber n) || !n.isIntegral() || n.intValue() < 100 || n.intValue() > 599) {
                throw new InvalidField(f.field("success"), "must contain status codes between 100 and 599");
            }
            result.add(n.intValue());
        }
        return result;
    }

    public boolean isSuccess(int status) {
        return success == null ? status >= 200 && status < 300 : success.contains(status);
    }

    /** GET and HEAD carry params in the query string; other methods send them as a form unless body/json is given. */
    public boolean paramsInQuery() {
        return method.equals("GET") || method.equals("HEAD") || body != null || json != null;
    }

    public URI target() {
        if (params.isEmpty() || !paramsInQuery()) {
            return url;
        }
        String query = encode(params);
        String text = url.toString();
        int hash = text.indexOf('#');
        if (hash >= 0) {
            text = text.substring(0, hash);
        }
        return URI.create(text + (url.getRawQuery() == null ? "?" : "&") + query);
    }

    /**
     * The request of one hop. After a redirect to another origin ({@code sameOrigin} false) the credentials
     * ({@link #CREDENTIALS} and every header {@link Redaction} calls secret) and the body are not sent.
     */
    public HttpRequest.Builder request(URI target, String method, Duration remaining, boolean sameOrigin) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(remaining);
        headers.forEach((name, value) -> {
            if (sameOrigin || !isCredential(name)) {
                builder.header(name, value);
            }
        });
        builder.header(OutgoingMark.HEADER, OutgoingMark.VALUE);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (sameOrigin && !method.equals("GET") && !method.equals("HEAD")) {
            if (json != null) {
                publisher = HttpRequest.BodyPublishers.ofString(json.toString());
                defaultContentType(builder, "application/json");
            } else if (body != null) {
                publisher = HttpRequest.BodyPublishers.ofString(body);
            } else if (!params.isEmpty()) {
                publisher = HttpRequest.BodyPublishers.ofString(encode(params));
                defaultContentType(builder, "application/x-www-form-urlencoded");
            }
        }
        return method.equals("GET") ? builder.GET() : builder.method(method, publisher);
    }

    private static boolean isCredential(String header) {
        return CREDENTIALS.contains(header.toLowerCase(Locale.ROOT)) || Redaction.isSensitive(header);
    }

    /** Whether two URLs have the same scheme, host and port. */
    public static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && TargetGuard.port(a) == TargetGuard.port(b)
                && String.valueOf(TargetGuard.host(a)).equalsIgnoreCase(String.valueOf(TargetGuard.host(b)));
    }

    private void defaultContentType(HttpRequest.Builder builder, String type) {
        if (headers.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            builder.header("Content-Type", type);
        }
    }

    private static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
