package io.queueserver.workers;

import io.queueserver.security.ExecAllowList;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The operator's exec settings: allowed executables, whether a {@code cmd} string may go through {@code /bin/sh},
 * the environment names jobs may pass, the PATH commands see and are looked up in, the default timeout.
 */
public record ExecRules(ExecAllowList allowList, boolean shell, Set<String> envAllow, String path,
                        int defaultTimeoutSeconds) {
    public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final Logger LOG = Logger.getLogger(ExecRules.class.getName());
    private static final Set<String> NEVER_PASSED = Set.of("BASH_ENV", "ENV", "IFS", "PS4", "SHELLOPTS",
            "PERL5OPT", "PYTHONSTARTUP", "NODE_OPTIONS");
    private static final List<String> NEVER_PASSED_PREFIXES = List.of("LD_", "DYLD_", "BASH_FUNC_");

    public static ExecRules of(String allow, boolean shell, String envAllow, String path, int defaultTimeoutSeconds) {
        Set<String> names = envAllow == null ? Set.of() : Arrays.stream(envAllow.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        names.stream().filter(ExecRules::neverPassed).forEach(name -> LOG.warning(() -> "QUEUE_EXEC_ENV_ALLOW: "
                + name + " is never passed to commands (it makes the loader or the shell run other code)"));
        names = names.stream().filter(n -> !neverPassed(n)).collect(Collectors.toUnmodifiableSet());
        return new ExecRules(ExecAllowList.parse(allow), shell, names,
                path == null || path.isBlank() ? SAFE_PATH : path, defaultTimeoutSeconds);
    }

    /** Variables that make the dynamic loader, a shell or an interpreter load code of the caller's choosing. */
    public static boolean neverPassed(String name) {
        return NEVER_PASSED.contains(name) || NEVER_PASSED_PREFIXES.stream().anyMatch(name::startsWith);
    }

    public List<Path> searchPath() {
        return Arrays.stream(path.split(":")).filter(d -> d.startsWith("/")).map(Path::of).toList();
    }
}
