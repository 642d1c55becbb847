package io.queueserver.workers;

import io.queueserver.core.JobRun;
import io.queueserver.core.Outcome;
import io.queueserver.core.Worker;

import io.queueserver.core.InvalidField;
import io.queueserver.core.JsonFields;
import io.queueserver.security.Audit;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Runs {@code "type": "exec"} commands: {@code argv} (never a shell) or the compat {@code cmd} string (split into
 * words without a shell unless {@code QUEUE_EXEC_SHELL=true}). Only executables allowed by {@code QUEUE_EXEC_ALLOW}
 * run, checked at submit and again before each start. The environment is scrubbed: PATH, LANG, QUEUE_JOB_ID and
 * the names in {@code QUEUE_EXEC_ENV_ALLOW} (inherited from the server, or set by the job).
 */
@ApplicationScoped
public class ExecWorker implements Worker {
    /** Defined by the dispatcher with the other executors of the engine. */
    public static final String EXECUTOR = "java:app/concurrent/queue-exec";

    static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    @Inject
    @ConfigProperty(name = "queue.exec.allow")
    Optional<String> allow;

    @Inject
    @ConfigProperty(name = "queue.exec.shell", defaultValue = "false")
    boolean shell;

    @Inject
    @ConfigProperty(name = "queue.exec.env.allow")
    Optional<String> envAllow;

    @Inject
    @ConfigProperty(name = "queue.exec.path", defaultValue = ExecRules.SAFE_PATH)
    String path;

    @Inject
    @ConfigProperty(name = "queue.exec.timeout", defaultValue = "300")
    int defaultTimeoutSeconds;

    @Inject
    @ConfigProperty(name = "queue.output.max.bytes", defaultValue = "65536")
    int outputCap;

    @Resource
    ManagedThreadFactory managedThreads;

    /** Drains the processes' output: one task per running process, on the container's executor for exec jobs. */
    @Resource(lookup = EXECUTOR)
    ManagedExecutorService managedDrainers;

    private ExecRules rules;
    private Duration grace = DEFAULT_GRACE;
    private ExecutorService drainers;
    private ScheduledExecutorService timer;
    private final Set<RunningProcess> running = ConcurrentHashMap.newKeySet();

    public ExecWorker() {
    }

    /** For tests outside the container. */
    public ExecWorker(ExecRules rules, int outputCap, Duration grace, ThreadFactory threads) {
        this.rules = rules;
        this.outputCap = outputCap;
        this.grace = grace;
        drainers = Executors.newCachedThreadPool(threads);
        timer = Executors.newSingleThreadScheduledExecutor(threads);
    }

    @PostConstruct
    void init() {
        rules = ExecRules.of(allow.orElse(""), shell, envAllow.orElse(""), path, defaultTimeoutSeconds);
        drainers = managedDrainers;
        timer = Executors.newSingleThreadScheduledExecutor(managedThreads);
    }

    @PreDestroy
    void stop() {
        running.forEach(RunningProcess::interrupt);
        if (drainers != managedDrainers) {
            drainers.shutdown(); // the container's executor is the container's to stop
        }
        timer.shutdown();
    }

    @Override
    public String type() {
        return "exec";
    }

    @Override
    public void validate(JsonFields command) {
        ExecCommand.parse(command, rules);
    }

    @Override
    public CompletableFuture<Outcome> run(JobRun run) {
        ExecCommand command;
        try {
            // the allow-list and the file system may have changed since the submit
            command = ExecCommand.parse(new JsonFields(run.command(), "command"), rules);
        } catch (InvalidField refused) {
            Audit.execRefused(run.jobId(), refused.getMessage());
            return CompletableFuture.completedFuture(Outcome.failed(refused.getMessage()));
        }
        ProcessBuilder builder = new ProcessBuilder(command.argv())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .directory(new File(System.getProperty("java.io.tmpdir")));
        environment(builder.environment(), command, run);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return CompletableFuture.completedFuture(Outcome.failed("could not start " + command.executable()
                    + ": " + e.getMessage()));
        }
        Audit.execStarted(run.jobId(), run.attempt(), command.executable().toString(), command.argv().size() - 1,
                command.shell(), process.pid());
        RunningProcess started = new RunningProcess(process, outputCap, run.output(), grace, timer);
        running.add(started);
        CompletableFuture<Outcome> outcome = started.start(command.timeout(), drainers);
        outcome.whenComplete((o, t) -> running.remove(started));
        return outcome;
    }

    private void environment(Map<String, String> env, ExecCommand command, JobRun run) {
        env.clear();
        env.put("PATH", rules.path());
        env.put("LANG", "C.UTF-8");
        rules.envAllow().forEach(name -> {
            String inherited = System.getenv(name);
            if (inherited != null) {
                env.put(name, inherited);
            }
        });
        env.putAll(command.env());
        env.put("QUEUE_JOB_ID", Long.toString(run.jobId()));
    }
}
