package io.queueserver.security;

import io.queueserver.core.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets of a job in what the API and dashboard show: every member whose name looks like a credential
 * (Authorization, Cookie, X-Api-Key, anything with token, secret or password in its name ...) at any depth, so
 * headers, params, env and custom fields alike; and in the {@code url}, {@code cmd} and {@code argv} members, query
 * parameters, URL passwords and option values ({@code --password x}, {@code --token=x}) whose names look like
 * credentials. The stored payload keeps the real values (sealed with {@code QUEUE_SECRET_KEY}): the job needs them.
 */
public final class Redaction {
    public static final String MASK = "***";
    private static final Set<String> NAMES = Set.of("authorization", "proxyauthorization", "cookie", "setcookie",
            "auth", "xauth", "apikey", "xapikey", "signature", "webhooksignature", "xauthkey", "authentication",
            "ocpapimsubscriptionkey", "key", "jwt", "pwd", "pass", "sig", "session", "sid", "code", "otp");
    private static final String[] PARTS = {"token", "secret", "password", "passwd", "passphrase", "apikey",
            "credential", "privatekey", "accesskey", "sessionid", "authkey", "subscriptionkey", "jwt", "bearer"};
    /** A query parameter (or form field) inside a URL or a command line. */
    private static final Pattern PARAMETER = Pattern.compile("([?&;])([^=&#\\s\"']+)=([^&#\\s\"']*)");
    /** An option and its value: {@code --password=x}, {@code --password x}, {@code -token 'x y'}. */
    private static final Pattern OPTION = Pattern.compile(
            "(?<![\\w-])(--?[A-Za-z][\\w.-]*)(=|\\s+)(\"[^\"]*\"|'[^']*'|[^\\s\"']+)");
    private static final Pattern USER_PASSWORD = Pattern.compile("(://[^/@\\s:]*:)[^/@\\s]*@");

    private Redaction() {
    }

    public static boolean isSensitive(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        if (NAMES.contains(n)) {
            return true;
        }
        for (String part : PARTS) {
            if (n.contains(part)) {
                return true;
            }
        }
        return false;
    }

    public static JsonValue redact(JsonValue value) {
        if (value instanceof JsonObject object) {
            JsonObjectBuilder b = Json.createObjectBuilder();
            object.forEach((name, member) -> b.add(name, isSensitive(name) ? mask(member)
                    : name.equals("url") || name.equals("cmd") ? maskText(member)
                    : name.equals("argv") && member instanceof JsonArray argv ? maskArguments(argv) : redact(member)));
            return b.build();
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            array.forEach(v -> b.add(redact(v)));
            return b.build();
        }
        return value;
    }

    /** A URL or command line with credential-looking parameters, URL passwords and option values masked. */
    public static String maskText(String text) {
        String masked = USER_PASSWORD.matcher(text).replaceAll("$1" + MASK + "@");
        masked = replaceSensitive(PARAMETER.matcher(masked), 2, m -> m.group(1) + m.group(2) + "=" + MASK);
        return replaceSensitive(OPTION.matcher(masked), 1, m -> m.group(1) + m.group(2) + MASK);
    }

    private static String replaceSensitive(Matcher m, int nameGroup, Function<Matcher, String> masked) {
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(nameGroup).replaceFirst("^-+", "");
            m.appendReplacement(out, Matcher.quoteReplacement(isSensitive(decoded(name)) ? masked.apply(m) : m.group()));
        }
        return m.appendTail(out).toString();
    }

    private static String decoded(String name) {
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name;
        }
    }

    private static JsonValue maskText(JsonValue value) {
        return value instanceof JsonString s ? Json.createValue(maskText(s.getString())) : redact(value);
    }

    /** argv words: an option named like a credential hides its value, in the same word or the next one. */
    private static JsonValue maskArguments(JsonArray argv) {
        JsonArrayBuilder b = Json.createArrayBuilder();
        boolean hideNext = false;
        for (JsonValue word : argv) {
            if (!(word instanceof JsonString s)) {
                b.add(redact(word));
                hideNext = false;
                continue;
            }
            String text = s.getString();
            b.add(hideNext ? MASK : maskText(text));
            hideNext = !hideNext && text.matches("--?[A-Za-z][\\w.-]*") && isSensitive(text.replaceFirst("^-+", ""));
        }
        return b.build();
    }

    private static JsonValue mask(JsonValue value) {
        if (value instanceof JsonObject) {
            return redact(value);
        }
        if (value instanceof JsonArray array) {
            JsonArrayBuilder b = Json.createArrayBuilder();
            array.forEach(v -> b.add(mask(v)));
            return b.build();
        }
        return value == JsonValue.NULL ? value : Json.createValue(MASK);
    }
}
