package io.queueserver.workers;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JsonFields;
import io.queueserver.security.ExecAllowList;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated exec command. {@code argv} is what runs: the checked real path of the executable first, or
 * {@code /bin/sh -c cmd} in shell mode. Refusals by the allow-list are 403, malformed commands 400.
 */
public record ExecCommand(List<String> argv, Path executable, Map<String, String> env, Duration timeout,
                          boolean shell) {
    static final int MAX_CMD = 32_768;
    static final int MAX_ARGS = 1000;
    static final int MAX_ENV = 50;
    static final int MAX_ENV_VALUE = 8192;
    static final long MAX_TIMEOUT_SECONDS = 86_400;
    static final String SHELL = "/bin/sh";

    public static ExecCommand parse(JsonFields f, ExecRules rules) {
        boolean hasCmd = f.has("cmd");
        boolean hasArgv = f.has("argv");
        if (hasCmd && hasArgv) {
            throw new InvalidField(f.field("argv"), "cannot be combined with cmd");
        }
        if (!hasCmd && !hasArgv) {
            throw new InvalidField(f.field("cmd"), "is required: a command line, or argv as an array of strings");
        }
        String field = f.field(hasCmd ? "cmd" : "argv");
        List<String> words;
        String cmd = null;
        if (hasCmd) {
            cmd = f.requiredString("cmd", MAX_CMD);
            if (cmd.indexOf('\0') >= 0) {
                throw new InvalidField(field, "must not contain NUL characters");
            }
            if (rules.shell()) {
                words = List.of(CommandLine.firstWord(cmd));
            } else {
                try {
                    words = CommandLine.split(cmd);
                } catch (CommandLine.Unsplittable e) {
                    throw new InvalidField(field, e.getMessage());
                }
            }
        } else {
            words = argv(f);
        }
        Duration timeout = Duration.ofSeconds(f.number("timeout", rules.defaultTimeoutSeconds(), 1, MAX_TIMEOUT_SECONDS));
        Map<String, String> env = env(f, rules);
        Path executable = allowed(words, field, rules);
        List<String> argv = new ArrayList<>();
        if (rules.shell() && hasCmd) {
            argv.addAll(List.of(SHELL, "-c", cmd));
        } else {
            argv.add(executable.toString());
            argv.addAll(words.subList(1, words.size()));
        }
        return new ExecCommand(List.copyOf(argv), executable, env, timeout, rules.shell() && hasCmd);
    }

    private static List<String> argv(JsonFields f) {
        String field = f.field("argv");
        if (!(f.object().get("argv") instanceof JsonArray array) || array.isEmpty()) {
            throw new InvalidField(field, "must be a non-empty array of strings (the executable first)");
        }
        if (array.size() > MAX_ARGS) {
            throw new InvalidField(field, "has more than " + MAX_ARGS + " arguments");
        }
        List<String> words = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof JsonString s)) {
                throw new InvalidField(field + "[" + i + "]", "must be a string");
            }
            String word = s.getString();
            if (word.length() > MAX_CMD || word.indexOf('\0') >= 0) {
                throw new InvalidField(field + "[" + i + "]", "must be at most " + MAX_CMD + " characters without NUL");
            }
            words.add(word);
        }
        if (words.get(0).isBlank()) {
            throw new InvalidField(field + "[0]", "must name the executable");
        }
        return words;
    }

    private static Map<String, String> env(JsonFields f, ExecRules rules) {
        JsonObject object = f.object("env");
        Map<String, String> env = new LinkedHashMap<>();
        if (object == null) {
            return env;
        }
        if (object.size() > MAX_ENV) {
            throw new InvalidField(f.field("env"), "has more than " + MAX_ENV + " variables");
        }
        for (Map.Entry<String, JsonValue> e : object.entrySet()) {
            String name = e.getKey();
            String field = f.field("env") + "." + name;
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                throw new InvalidField(field, "is not a valid environment variable name");
            }
            if (ExecRules.neverPassed(name)) {
                throw new InvalidField(403, field, "is never passed to commands: it makes the loader or the shell"
                        + " run other code");
            }
            if (!rules.envAllow().contains(name)) {
                throw new InvalidField(403, field, "may not be set: the server passes only the environment names"
                        + " listed in QUEUE_EXEC_ENV_ALLOW");
            }
            String value = switch (e.getValue().getValueType()) {
                case STRING -> ((JsonString) e.getValue()).getString();
                case NUMBER -> ((JsonNumber) e.getValue()).toString();
                case TRUE -> "true";
                case FALSE -> "false";
                default -> throw new InvalidField(field, "must be a string, number or boolean");
            };
            if (value.length() > MAX_ENV_VALUE || value.indexOf('\0') >= 0) {
                throw new InvalidField(field, "must be at most " + MAX_ENV_VALUE + " characters without NUL");
            }
            env.put(name, value);
        }
        return env;
    }

    private static Path allowed(List<String> words, String field, ExecRules rules) {
        if (rules.allowList().isEmpty()) {
            throw new InvalidField(403, field, "exec is disabled on this server: no executable is allowed"
                    + " (the operator allows commands with QUEUE_EXEC_ALLOW)");
        }
        ExecAllowList.Executable executable;
        try {
            executable = ExecAllowList.resolve(words.get(0), rules.searchPath());
        } catch (ExecAllowList.Refused e) {
            throw new InvalidField(403, field, "refused: " + e.getMessage());
        }
        Path real = executable.real();
        ExecAllowList.Entry entry = rules.allowList().match(executable).orElseThrow(() -> new InvalidField(403, field,
                "refused: " + (real.getFileName().equals(executable.requested().getFileName())
                        ? real + " is not allowed by QUEUE_EXEC_ALLOW"
                        : executable.requested() + " is " + real + ", a file of another name, which is never run"
                        + " under this name")));
        if (entry.noDashArgs()) {
            if (rules.shell() && words.size() == 1 && field.endsWith("cmd")) {
                throw new InvalidField(403, field, "refused: " + real + " may not take options, which cannot be"
                        + " checked through a shell; pass argv instead");
            }
            for (int i = 1; i < words.size(); i++) {
                if (words.get(i).startsWith("-")) {
                    throw new InvalidField(403, field, "refused: argument " + i + " starts with '-', which"
                            + " QUEUE_EXEC_ALLOW forbids for " + real);
                }
            }
        }
        return real;
    }
}
