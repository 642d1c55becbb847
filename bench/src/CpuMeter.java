import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU used per component between {@link #start} and {@link #stop}: the server node(s) ({@code --server-pids}),
 * MariaDB ({@code --db-pid}), the jobs' HTTP target (its event-loop thread, which runs inside this process), the load
 * generator (this process without the target), and the rest of the machine; also the peak RSS of the nodes and the
 * share of the machine's time stolen by the hypervisor.
 */
final class CpuMeter {
    private static final List<String> COMPONENTS = List.of("server", "db", "target", "loadgen");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final TargetServer target;
    private final long t0 = System.nanoTime();
    private final Map<String, Double> before;
    private final long[] machineBefore = ProcFs.machineTicks();
    private final long rssBefore = rss();

    private CpuMeter(TargetServer target) {
        this.target = target;
        before = snapshot();
    }

    /** Measures without a target in this process. */
    static CpuMeter start() {
        return new CpuMeter(null);
    }

    /** Measures, with the CPU of {@code target}'s thread reported as "target" rather than "loadgen". */
    static CpuMeter start(TargetServer target) {
        return new CpuMeter(target);
    }

    private static List<Long> serverPids() {
        return pids("server-pids");
    }

    private static List<Long> pids(String option) {
        return Arrays.stream(Options.arg(option, "").split(",")).filter(p -> !p.isBlank())
                .map(p -> Long.parseLong(p.trim())).toList();
    }

    /** CPU seconds so far per component. */
    private Map<String, Double> snapshot() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("server", serverPids().stream().mapToLong(ProcFs::ticks).sum() / ProcFs.TICKS_PER_SECOND);
        m.put("db", pids("db-pid").stream().mapToLong(ProcFs::ticks).sum() / ProcFs.TICKS_PER_SECOND);
        double self = ProcFs.ticks(ProcessHandle.current().pid()) / ProcFs.TICKS_PER_SECOND;
        double targetSecs = 0;
        if (target != null) {
            long ns = THREADS.getThreadCpuTime(target.loop.getId());
            targetSecs = ns > 0 ? ns / 1e9 : 0;
        }
        m.put("target", targetSecs);
        m.put("loadgen", self - targetSecs);
        return m;
    }

    private static long rss() {
        return serverPids().stream().mapToLong(pid -> ProcFs.status(pid, "VmRSS")).sum();
    }

    /**
     * Prints {@code cpu.<phase>.<component>} in cores (no target line when there is none), {@code cpu.<phase>.other},
     * {@code cpu.<phase>.steal} (share of the machine's time) and {@code rss.<phase>_mib}; returns the CPU seconds
     * per component.
     */
    Map<String, Double> stop(String phase) {
        Map<String, Double> after = snapshot();
        long[] machineAfter = ProcFs.machineTicks();
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, Double> used = new LinkedHashMap<>();
        double total = 0;
        for (String k : COMPONENTS) {
            if (k.equals("target") && target == null) {
                continue;
            }
            double cpuSecs = Math.max(0, after.get(k) - before.get(k));
            used.put(k, cpuSecs);
            total += cpuSecs;
            Options.result("cpu." + phase + "." + k, cpuSecs / secs);
        }
        double busy = (ProcFs.machineBusyTicks(machineAfter) - ProcFs.machineBusyTicks(machineBefore))
                / ProcFs.TICKS_PER_SECOND;
        Options.result("cpu." + phase + ".other", Math.max(0, busy - total) / secs);
        long all = 0;
        for (int i = 0; i < machineAfter.length; i++) {
            all += machineAfter[i] - machineBefore[i];
        }
        if (all > 0) {
            Options.result("cpu." + phase + ".steal", (machineAfter[7] - machineBefore[7]) / (double) all);
        }
        long rss = rss();
        if (rss > 0) {
            Options.result("rss." + phase + "_mib", Math.max(rss, rssBefore) / 1024.0);
        }
        return used;
    }
}
