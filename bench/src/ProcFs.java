import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads CPU ticks and memory of processes, and the machine's CPU counters, from /proc (Linux only). */
final class ProcFs {
    /** USER_HZ: the unit of the tick counters in /proc. */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcFs() {
    }

    /** utime + stime of a process in ticks (fields 14 and 15 of /proc/pid/stat); 0 when it is gone. */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The first line of /proc/stat: user nice system idle iowait irq softirq steal, in ticks. */
    static long[] machineTicks() {
        long[] t = new long[8];
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < f.length && i <= 8; i++) {
                t[i - 1] = Long.parseLong(f[i]);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no machine figures
        }
        return t;
    }

    /** Ticks the machine was busy: everything but idle and iowait (steal included: the time was not ours). */
    static long machineBusyTicks(long[] t) {
        return t[0] + t[1] + t[2] + t[5] + t[6] + t[7];
    }

    /** A numeric field of /proc/pid/status (kB for memory fields); 0 when it is gone. */
    static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }
}
