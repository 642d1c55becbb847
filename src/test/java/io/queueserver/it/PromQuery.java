package io.queueserver.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of PromQL that docs/grafana-dashboard.json uses, evaluated over scrapes of /metrics taken by a test:
 * selectors with {@code =} and {@code =~} matchers, {@code rate} and {@code increase} over a window,
 * {@code sum} and {@code max} (optionally {@code by} labels) and one division. Anything else is refused, so the
 * dashboard cannot use a query this check does not understand.
 */
final class PromQuery {
    /** One scrape: the value of every series (its name and labels) at a time in seconds. */
    record Scrape(double seconds, Map<Map<String, String>, Double> samples) {
        static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)})?\\s+(\\S+)$");
        static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        /** The samples of a Prometheus text exposition; the series' name is the label {@code __name__}. */
        static Scrape parse(double seconds, String exposition) {
            Map<Map<String, String>, Double> samples = new HashMap<>();
            for (String line : exposition.split("\n")) {
                Matcher m = LINE.matcher(line.trim());
                if (line.startsWith("#") || !m.matches()) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                labels.put("__name__", m.group(1));
                if (m.group(3) != null) {
                    Matcher l = LABEL.matcher(m.group(3));
                    while (l.find()) {
                        if (!l.group(1).equals("mp_scope")) {
                            labels.put(l.group(1), l.group(2));
                        }
                    }
                }
                samples.put(labels, Double.parseDouble(m.group(4)));
            }
            return new Scrape(seconds, samples);
        }
    }

    private interface Node {
        /** Series (their labels, with the name as {@code __name__} until a function or aggregation drops it) and
         * values at scrape {@code at}. */
        Map<Map<String, String>, Double> eval(List<Scrape> history, int at);
    }

    private final String text;
    private int pos;
    private final Node root;

    private PromQuery(String text) {
        this.text = text;
        root = division();
        skipSpace();
        if (pos != text.length()) {
            throw refused("unexpected text");
        }
    }

    static PromQuery parse(String expression) {
        return new PromQuery(expression);
    }

    Map<Map<String, String>, Double> eval(List<Scrape> history, int at) {
        return root.eval(history, at);
    }

    private Node division() {
        Node left = expression();
        skipSpace();
        if (!peek("/")) {
            return left;
        }
        pos++;
        Node right = expression();
        return (history, at) -> {
            Map<Map<String, String>, Double> l = left.eval(history, at);
            Map<Map<String, String>, Double> r = right.eval(history, at);
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            l.forEach((labels, v) -> {
                Double d = r.get(labels);
                if (d != null && d != 0) {
                    out.put(labels, v / d);
                }
            });
            return out;
        };
    }

    private Node expression() {
        skipSpace();
        String word = word();
        switch (word) {
            case "sum", "max" -> {
                List<String> by = List.of();
                skipSpace();
                if (peek("by")) {
                    pos += 2;
                    by = labelList();
                }
                expect("(");
                Node inner = division();
                expect(")");
                return aggregate(word, by, inner);
            }
            case "rate", "increase" -> {
                expect("(");
                Node selector = selector(word());
                expect("[");
                double window = duration();
                expect("]");
                expect(")");
                return rate(selector, window, word.equals("rate"));
            }
            default -> {
                return selector(word);
            }
        }
    }

    private static Node aggregate(String op, List<String> by, Node inner) {
        return (history, at) -> {
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            inner.eval(history, at).forEach((labels, v) -> {
                Map<String, String> group = new TreeMap<>();
                by.forEach(l -> {
                    if (labels.containsKey(l)) {
                        group.put(l, labels.get(l));
                    }
                });
                out.merge(group, v, op.equals("sum") ? Double::sum : Math::max);
            });
            return out;
        };
    }

    /** The per-second (or total) growth since the oldest scrape within the window that has the series. */
    private static Node rate(Node selector, double window, boolean perSecond) {
        return (history, at) -> {
            Map<Map<String, String>, Double> now = selector.eval(history, at);
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            now.forEach((labels, v) -> {
                for (int i = 0; i < at; i++) {
                    Scrape then = history.get(i);
                    Double old = then.samples().get(labels);
                    double dt = history.get(at).seconds() - then.seconds();
                    if (old != null && dt <= window && dt > 0) {
                        Map<String, String> withoutName = new TreeMap<>(labels);
                        withoutName.remove("__name__");
                        out.put(withoutName, perSecond ? (v - old) / dt : v - old);
                        break;
                    }
                }
            });
            return out;
        };
    }

    private Node selector(String name) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw refused("a metric name");
        }
        List<String[]> matchers = new ArrayList<>();
        skipSpace();
        if (peek("{")) {
            pos++;
            while (true) {
                skipSpace();
                String label = word();
                boolean regex = peek("=~");
                pos += regex ? 2 : 1;
                if (!regex && text.charAt(pos - 1) != '=') {
                    throw refused("= or =~");
                }
                expect("\"");
                int end = text.indexOf('"', pos);
                matchers.add(new String[] {label, regex ? "~" : "=", text.substring(pos, end)});
                pos = end + 1;
                skipSpace();
                if (peek(",")) {
                    pos++;
                } else {
                    expect("}");
                    break;
                }
            }
        }
        return (history, at) -> {
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            history.get(at).samples().forEach((labels, v) -> {
                if (!name.equals(labels.get("__name__"))) {
                    return;
                }
                for (String[] m : matchers) {
                    String value = labels.getOrDefault(m[0], "");
                    if (m[1].equals("=") ? !value.equals(m[2]) : !value.matches(m[2])) {
                        return;
                    }
                }
                out.put(labels, v);
            });
            return out;
        };
    }

    private List<String> labelList() {
        expect("(");
        List<String> labels = new ArrayList<>();
        while (true) {
            labels.add(word());
            skipSpace();
            if (peek(",")) {
                pos++;
            } else {
                expect(")");
                return labels;
            }
        }
    }

    private double duration() {
        Matcher m = Pattern.compile("(\\d+)([smh])").matcher(text).region(pos, text.length());
        if (!m.lookingAt()) {
            throw refused("a duration like 5m");
        }
        pos = m.end();
        return Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "s" -> 1;
            case "m" -> 60;
            default -> 3600;
        };
    }

    private String word() {
        skipSpace();
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "_:".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        if (start == pos) {
            throw refused("a name");
        }
        return text.substring(start, pos);
    }

    private void expect(String token) {
        skipSpace();
        if (!peek(token)) {
            throw refused("'" + token + "'");
        }
        pos += token.length();
    }

    private boolean peek(String token) {
        return text.startsWith(token, pos);
    }

    private void skipSpace() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private IllegalArgumentException refused(String wanted) {
        return new IllegalArgumentException("PromQL not understood here, wanted " + wanted + " at " + pos + ": " + text);
    }
}
