import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.IntFunction;

/**
 * {@code --jobs} HTTP jobs of one fresh context that call a target started for them, and a database connection to
 * follow them: what the trivial phase and the long-jobs check submit and wait for.
 */
final class HttpJobRun implements AutoCloseable {
    final int jobs = Options.intArg("jobs", 10_000);
    final TargetServer target;
    final String context;
    final Connection db;

    HttpJobRun(String contextPrefix, int defaultTargetPort) throws IOException, SQLException {
        target = TargetServer.start(Options.intArg("target-port", defaultTargetPort));
        context = contextPrefix + "-" + System.currentTimeMillis();
        try {
            db = DriverManager.getConnection(Options.jdbc());
        } catch (SQLException e) {
            target.stop();
            throw e;
        }
    }

    /** Submits the jobs, each calling {@code pathAndQuery} on the target, in batches of {@code batchSize}. */
    void submit(String pathAndQuery, int timeoutSeconds, int batchSize) throws InterruptedException {
        JobsApi.submitInBatches(JobsApi.httpJob(context, target.url(pathAndQuery), timeoutSeconds), jobs, batchSize);
    }

    /** The same, job {@code i} with the concurrency key {@code keyOf(i)}. */
    void submit(String pathAndQuery, int timeoutSeconds, int batchSize, IntFunction<String> keyOf)
            throws InterruptedException {
        String url = target.url(pathAndQuery);
        JobsApi.submitInBatches(i -> JobsApi.httpJob(context, keyOf.apply(i), url, timeoutSeconds), jobs, batchSize);
    }

    /** {done, failed} of the jobs so far. */
    long[] finishedCounts() throws SQLException {
        return JobTable.finishedCounts(db, context);
    }

    @Override
    public void close() throws IOException, SQLException {
        try {
            db.close();
        } finally {
            target.stop();
        }
    }
}
