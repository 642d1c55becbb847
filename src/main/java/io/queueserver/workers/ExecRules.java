package io.queueserver.workers;

import io.queueserver.security.ExecAllowList;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's exec settings: allowed executables, whether a {@code cmd} string may go through {@code /bin/sh},
 * the environment names jobs may pass, the PATH commands see and are looked up in, the default timeout.
 */
public record ExecRules(ExecAllowList allowList, boolean shell, Set<String> envAllow, String path,
                        int defaultTimeoutSeconds) {
    public static final String SAFE_PATH = "/usr/local/bin:/usr/bin:/bin";

    public static ExecRules of(String allow, boolean shell, String envAllow, String path, int defaultTimeoutSeconds) {
        Set<String> names = envAllow == null ? Set.of() : Arrays.stream(envAllow.split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        return new ExecRules(ExecAllowList.parse(allow), shell, names,
                path == null || path.isBlank() ? SAFE_PATH : path, defaultTimeoutSeconds);
    }

    public List<Path> searchPath() {
        return Arrays.stream(path.split(":")).filter(d -> d.startsWith("/")).map(Path::of).toList();
    }
}
