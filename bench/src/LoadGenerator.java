import java.nio.file.Path;

/**
 * Entry point of the Queue Server benchmark's load generator (bench/run, bench/compare). Not part of the WAR or the
 * tests. Compiled against the server's classes (target/classes) for {@code io.queueserver.core.JobState}, with the
 * MySQL driver on the class path. Every measuring mode prints lines {@code RESULT <metric> <value>} that bench/run
 * collects; {@code report} turns the collected lines into the tables, {@code compare} prints bench/compare's table.
 *
 * <pre>
 * submits  --urls http://127.0.0.1:8380[,…] --conns 64 --seconds 5 --warmup 1
 * batch    --urls … --size 1000 --conns 4 --seconds 5 --warmup 1
 * trivial  --urls … --jdbc URL --jobs 10000 --timeout 30 --target-port 8390 [--keys 1000 --key-limit JSON --metric M]
 * flood    --urls … --jdbc URL --jobs 100000 --lone 10 --spacing-ms 400 --target-port 8390
 * rate     --urls … --jdbc URL --jobs 3500 --per-second 100 --seconds 30 --target-port 8390
 * latency  --urls … --jdbc URL --rate 100 --seconds 8 --target-port 8390
 * result   --urls … --seconds 8 --target-port 8390
 * workflow --urls … --rounds 10
 * long     --urls … --jdbc URL --jobs 10000 --hold 30 --target-port 8391
 * ceilings --jdbc URL --sql sql --seconds 5
 * bigtable --urls … --jdbc URL
 * report   --results FILE
 * compare  --dir DIR --rounds N --peers "graphile bullmq-aof bullmq" [--out FILE.md]
 * </pre>
 * Every measuring mode also takes {@code --server-pids p1,p2 --db-pid p} and then reports the CPU each used.
 */
public final class LoadGenerator {
    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        Options.parse(args);
        String mode = args.length > 0 ? args[0] : "help";
        switch (mode) {
            case "submits" -> SubmitPhases.submits();
            case "batch" -> SubmitPhases.batch();
            case "trivial" -> TrivialPhase.run();
            case "latency" -> LatencyPhase.run();
            case "result" -> ResultPhase.run();
            case "workflow" -> WorkflowPhase.run();
            case "flood" -> IdleKeyBehindFlood.run();
            case "rate" -> RateLimitCheck.run();
            case "long" -> LongJobsCheck.run();
            case "ceilings" -> JdbcCeilings.run();
            case "bigtable" -> BigTableCheck.run();
            case "report" -> ResultsReport.print(Path.of(Options.arg("results", "target/bench/results.txt")));
            case "compare" -> CompareReport.print();
            default -> {
                System.err.println("usage: LoadGenerator submits|batch|trivial|flood|rate|latency|result|workflow|long|ceilings|bigtable|report|compare"
                        + " [--option value]…");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
