import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The command line ({@code mode --name value …}) and the {@code RESULT} lines every mode prints. */
final class Options {
    private static final Map<String, String> ARGS = new LinkedHashMap<>();

    private Options() {
    }

    static void parse(String[] args) {
        for (int i = 1; i + 1 < args.length; i += 2) {
            ARGS.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
    }

    static String arg(String name, String def) {
        return ARGS.getOrDefault(name, def);
    }

    static int intArg(String name, int def) {
        return Integer.parseInt(arg(name, Integer.toString(def)));
    }

    static double doubleArg(String name, double def) {
        return Double.parseDouble(arg(name, Double.toString(def)));
    }

    /** The server nodes' base URLs, {@code --urls http://127.0.0.1:8380,…}. */
    static List<String> urls() {
        return Arrays.asList(arg("urls", "http://127.0.0.1:8380").split(","));
    }

    static String jdbc() {
        return arg("jdbc", "");
    }

    static void result(String metric, double value) {
        System.out.println("RESULT " + metric + " " + String.format(Locale.ROOT, "%.3f", value));
    }
}
