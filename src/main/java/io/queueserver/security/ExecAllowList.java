package io.queueserver.security;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The executables exec jobs may run ({@code QUEUE_EXEC_ALLOW}): comma-separated absolute paths or glob patterns
 * ({@code *} within one directory, {@code **} across directories), each optionally followed by {@code :no-dash-args}
 * to refuse arguments that start with {@code -}. A command is allowed only when the REAL path of its executable
 * (symlinks and {@code ..} resolved) matches an entry whose own directories are resolved the same way, and the real
 * file has the name the command asked for: {@code /bin/echo} that is a link to {@code /bin/busybox} is refused,
 * because a multi-call binary picks what it runs from its name or its first argument. Matching is case-sensitive.
 * Known multi-call binaries (BusyBox, toybox, single-binary coreutils) are never allowed. Empty: exec is off.
 */
public final class ExecAllowList {
    private static final Logger LOG = Logger.getLogger(ExecAllowList.class.getName());
    public static final String NO_DASH_ARGS = ":no-dash-args";
    private static final Set<String> MULTI_CALL = Set.of("busybox", "busybox.static", "toybox", "toolbox",
            "coreutils", "box64");

    /** An executable as a command named it (bare names found on the PATH) and the real file it is. */
    public record Executable(Path requested, Path real) {
    }

    /** One allowed path or pattern. */
    public record Entry(String pattern, boolean noDashArgs) {
        boolean matches(Executable executable) {
            Path real = executable.real();
            if (!real.getFileName().equals(executable.requested().getFileName())) {
                return false;
            }
            String glob = resolvedPattern();
            return matcher(glob).matches(real) || !glob.equals(pattern) && matcher(pattern).matches(real);
        }

        /** The pattern with its literal leading directories (never its file name) replaced by their real paths. */
        private String resolvedPattern() {
            int wild = firstWildcard(pattern);
            int slash = pattern.lastIndexOf('/', wild < 0 ? pattern.length() - 1 : wild);
            String dir = slash <= 0 ? "/" : pattern.substring(0, slash);
            String real = realOrSelf(dir);
            return (real.endsWith("/") ? real.substring(0, real.length() - 1) : real) + pattern.substring(slash);
        }

        private static PathMatcher matcher(String glob) {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        }
    }

    private final List<Entry> entries;

    private ExecAllowList(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static ExecAllowList parse(String config) {
        List<Entry> entries = new ArrayList<>();
        if (config != null) {
            for (String raw : config.split(",")) {
                String item = raw.trim();
                boolean noDash = item.endsWith(NO_DASH_ARGS);
                String pattern = noDash ? item.substring(0, item.length() - NO_DASH_ARGS.length()).trim() : item;
                if (pattern.isEmpty()) {
                    continue;
                }
                if (!pattern.startsWith("/") || pattern.contains("/../") || pattern.endsWith("/..")
                        || pattern.contains("/./") || pattern.contains("\\")) {
                    LOG.warning(() -> "QUEUE_EXEC_ALLOW entry ignored, it must be an absolute normalized path or"
                            + " pattern: " + pattern);
                    continue;
                }
                Path target = Path.of(realOrSelf(pattern)).getFileName();
                String file = target == null ? "" : target.toString();
                if (MULTI_CALL.contains(file)) {
                    LOG.severe(() -> "QUEUE_EXEC_ALLOW entry ignored: " + pattern + " is the multi-call binary "
                            + file + ", which runs any of its applets (argv [\"" + file + "\", \"sh\", ...]);"
                            + " allow a script or a single-purpose executable instead");
                    continue;
                }
                entries.add(new Entry(pattern, noDash));
            }
        }
        return new ExecAllowList(entries);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The first entry that allows this executable; none for a multi-call binary. */
    public Optional<Entry> match(Executable executable) {
        if (MULTI_CALL.contains(executable.real().getFileName().toString())) {
            return Optional.empty();
        }
        return entries.stream().filter(e -> e.matches(executable)).findFirst();
    }

    /**
     * The real path of the executable a command names: an absolute path, or a bare name looked up in
     * {@code searchPath}. Relative paths with a slash are refused (they would depend on the working directory).
     */
    public static Executable resolve(String name, List<Path> searchPath) throws Refused {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new Refused("is not a valid executable name");
        }
        Path candidate = null;
        if (name.contains("/")) {
            if (!name.startsWith("/")) {
                throw new Refused("'" + name + "' must be an absolute path or a bare name found on the server's PATH");
            }
            if (name.endsWith("/") || name.contains("//") || name.contains("/./") || name.contains("/../")
                    || name.endsWith("/.") || name.endsWith("/..")) {
                throw new Refused("'" + name + "' must be a plain path, without '.', '..' or empty segments");
            }
            candidate = Path.of(name);
        } else {
            for (Path dir : searchPath) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    candidate = p;
                    break;
                }
            }
            if (candidate == null) {
                throw new Refused("'" + name + "' was not found on the server's PATH");
            }
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException | SecurityException e) {
            throw new Refused("'" + name + "' does not exist on the server");
        }
        if (!Files.isRegularFile(real) || !Files.isExecutable(real)) {
            throw new Refused("'" + name + "' is not an executable file");
        }
        return new Executable(candidate, real);
    }

    /** Why a command is refused. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    private static int firstWildcard(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[{".indexOf(pattern.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static String realOrSelf(String path) {
        try {
            return Path.of(path).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return path;
        }
    }
}
