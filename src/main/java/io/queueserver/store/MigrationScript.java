package io.queueserver.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A schema script named {@code V<version>__<description>.sql} in the application's {@code sql/} folder. */
record MigrationScript(int version, String description, String name) {
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

    static List<MigrationScript> all() throws IOException {
        URL folder = MigrationScript.class.getClassLoader().getResource("sql/");
        if (folder == null) {
            throw new IOException("the application has no sql/ folder");
        }
        List<String> names = new ArrayList<>();
        if (folder.getProtocol().equals("jar")) {
            JarURLConnection jar = (JarURLConnection) folder.openConnection();
            String prefix = jar.getEntryName();
            Collections.list(jar.getJarFile().entries()).forEach(e -> {
                if (e.getName().startsWith(prefix) && !e.isDirectory()) {
                    names.add(e.getName().substring(prefix.length()));
                }
            });
        } else {
            try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
                files.forEach(p -> names.add(p.getFileName().toString()));
            } catch (URISyntaxException e) {
                throw new IOException(e);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        List<MigrationScript> scripts = new ArrayList<>();
        for (String name : names) {
            Matcher m = NAME.matcher(name);
            if (m.matches()) {
                scripts.add(new MigrationScript(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '), name));
            }
        }
        scripts.sort(Comparator.comparingInt(MigrationScript::version));
        for (int i = 1; i < scripts.size(); i++) {
            if (scripts.get(i).version() == scripts.get(i - 1).version()) {
                throw new IOException("two schema scripts have version " + scripts.get(i).version());
            }
        }
        return scripts;
    }
}
