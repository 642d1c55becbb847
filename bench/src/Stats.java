import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Percentiles, medians, number formatting and pacing shared by the phases and the reports. */
final class Stats {
    private Stats() {
    }

    /** Nearest-rank percentile; -1 when there are no values. */
    static long percentile(long[] values, double pct) {
        if (values.length == 0) {
            return -1;
        }
        long[] v = values.clone();
        Arrays.sort(v);
        int i = (int) Math.ceil(pct / 100.0 * v.length) - 1;
        return v[Math.max(0, Math.min(v.length - 1, i))];
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        int n = s.size();
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** 1,234 for large values, 12.3 for small ones. */
    static String num(double d) {
        if (Math.abs(d) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", d);
        }
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long d;
        while ((d = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, d / 1_000_000));
        }
    }
}
