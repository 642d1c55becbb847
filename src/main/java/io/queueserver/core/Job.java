package io.queueserver.core;

import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.LocalDateTime;
import java.util.Objects;

/**
 * A job row. New jobs are persisted as entities (ids assigned from the node's block, see the store's id blocks, so
 * a group of them goes out as one multi-row INSERT of only the columns a new job has: the others are
 * {@code insertable = false} and take the table's defaults); state moves are conditional UPDATEs fenced by attempt
 * and owner, each checked against {@link JobState#canMoveTo}.
 */
@Entity
@Table(name = "queue_job")
public class Job {
    @Id
    private long id;
    @Column(name = "state")
    private int stateCode;
    private int priority;
    private String context;
    private String type;
    private String payload;
    @Column(name = "unique_key")
    private String uniqueKey;
    @Column(name = "run_at")
    @Convert(converter = TimeText.class)
    private LocalDateTime runAt;
    @Column(name = "time_added")
    @Convert(converter = TimeText.class)
    private LocalDateTime timeAdded;
    @Column(name = "time_started", insertable = false, updatable = false)
    @Convert(converter = TimeText.class)
    private LocalDateTime timeStarted;
    @Column(name = "time_completed", insertable = false, updatable = false)
    @Convert(converter = TimeText.class)
    private LocalDateTime timeCompleted;
    @Column(insertable = false, updatable = false)
    private int attempt;
    @Column(name = "max_attempts")
    private int maxAttempts;
    @Column(insertable = false, updatable = false)
    private int rescues;
    @Column(insertable = false, updatable = false)
    private String owner;
    @Column(name = "lease_until", insertable = false, updatable = false)
    @Convert(converter = TimeText.class)
    private LocalDateTime leaseUntil;
    @Column(name = "return_code", insertable = false, updatable = false)
    private Integer returnCode;
    @Column(insertable = false, updatable = false)
    private String output;
    @Column(name = "output_headers", insertable = false, updatable = false)
    private String outputHeaders;
    @Column(insertable = false, updatable = false)
    private String error;
    @Column(insertable = false, updatable = false)
    private Integer progress;
    @Column(name = "progress_message", insertable = false, updatable = false)
    private String progressMessage;
    @Column(name = "retry_base", insertable = false, updatable = false)
    private int retryBase;
    @Column(name = "neg_priority")
    private int negPriority;
    @Column(name = "concurrency_key")
    private String concurrencyKey;
    @Column(insertable = false, updatable = false)
    private int snoozes;
    @Column(name = "expires_at")
    @Convert(converter = TimeText.class)
    private LocalDateTime expiresAt;
    @Column(name = "batch_id")
    private Long batchId;
    private int dependents;

    protected Job() {
    }

    /**
     * A new job of batch {@code batchId} (or none: null), with {@code dependents} jobs that depend on it, blocked
     * until its own dependencies end when {@code blocked}.
     */
    public void place(Long batchId, int dependents, boolean blocked) {
        this.batchId = batchId;
        this.dependents = dependents;
        if (blocked) {
            this.stateCode = JobState.BLOCKED.code();
        }
    }

    public Long batchId() {
        return batchId;
    }

    /** A new job as submitted: waiting, or scheduled for {@code runAt}; times are UTC on the database clock. */
    public Job(long id, JobSpec spec, LocalDateTime now) {
        this.id = id;
        this.stateCode = (spec.delaySeconds() > 0 || spec.runAt() != null && spec.runAt().isAfter(now)
                ? JobState.SCHEDULED : JobState.WAITING).code();
        this.priority = spec.priority();
        this.negPriority = -spec.priority();
        this.context = spec.context();
        this.type = spec.type();
        this.payload = spec.payload().toString();
        this.uniqueKey = spec.uniqueKey();
        LocalDateTime due = spec.runAt() != null && spec.runAt().isAfter(now) ? spec.runAt() : now;
        this.runAt = due.plusSeconds(spec.delaySeconds());
        this.timeAdded = now;
        this.maxAttempts = spec.maxAttempts();
        this.concurrencyKey = spec.concurrencyKey();
        this.expiresAt = spec.expiresAt() != null ? spec.expiresAt()
                : spec.expiresInSeconds() > 0 ? now.plusSeconds(spec.expiresInSeconds()) : null;
    }

    /**
     * The select list of a job list's rows: every column but output and response headers, with payload and error
     * cut to a bounded prefix, so a page of jobs costs a bounded amount of memory whatever the jobs hold.
     */
    public static final String SUMMARY_COLUMNS = "j.id, j.stateCode, j.priority, j.context, j.type,"
            + " SUBSTRING(j.payload, 1, " + Job.PAYLOAD_HEAD + "), j.uniqueKey, j.runAt, j.timeAdded, j.timeStarted,"
            + " j.timeCompleted, j.attempt, j.maxAttempts, j.rescues, j.owner, j.leaseUntil, j.returnCode,"
            + " SUBSTRING(j.error, 1, " + Job.ERROR_HEAD + "), j.progress, j.progressMessage,"
            + " SUBSTRING(j.output, 1, " + Job.OUTPUT_HEAD + "), j.concurrencyKey, j.batchId";
    public static final int PAYLOAD_HEAD = 4096;
    public static final int ERROR_HEAD = 2000;
    public static final int OUTPUT_HEAD = 4096;

    /** A row selected with {@link #SUMMARY_COLUMNS}: its payload and output are prefixes, headers are null. */
    public static Job summary(Object[] row) {
        Job j = new Job();
        j.id = ((Number) row[0]).longValue();
        j.stateCode = ((Number) row[1]).intValue();
        j.priority = ((Number) row[2]).intValue();
        j.context = (String) row[3];
        j.type = (String) row[4];
        j.payload = (String) row[5];
        j.uniqueKey = (String) row[6];
        j.runAt = (LocalDateTime) row[7];
        j.timeAdded = (LocalDateTime) row[8];
        j.timeStarted = (LocalDateTime) row[9];
        j.timeCompleted = (LocalDateTime) row[10];
        j.attempt = ((Number) row[11]).intValue();
        j.maxAttempts = ((Number) row[12]).intValue();
        j.rescues = ((Number) row[13]).intValue();
        j.owner = (String) row[14];
        j.leaseUntil = (LocalDateTime) row[15];
        j.returnCode = (Integer) row[16];
        j.error = (String) row[17];
        j.progress = (Integer) row[18];
        j.progressMessage = (String) row[19];
        j.output = (String) row[20];
        j.concurrencyKey = (String) row[21];
        j.batchId = row[22] == null ? null : ((Number) row[22]).longValue();
        return j;
    }

    public long id() {
        return id;
    }

    /**
     * Whether {@code other} is this job's row unchanged by a claim, a rescue, a pause, a retry or an end (a renewed
     * lease or progress does not count): what was read about the job between the two reads belongs to this row.
     */
    public boolean sameRevisionAs(Job other) {
        return id == other.id && stateCode == other.stateCode && attempt == other.attempt && rescues == other.rescues
                && Objects.equals(owner, other.owner) && Objects.equals(runAt, other.runAt)
                && Objects.equals(timeStarted, other.timeStarted)
                && Objects.equals(timeCompleted, other.timeCompleted);
    }

    public JobState state() {
        return JobState.ofCode(stateCode);
    }

    public int priority() {
        return priority;
    }

    public String context() {
        return context;
    }

    public String type() {
        return type;
    }

    public String payload() {
        return payload;
    }

    public String uniqueKey() {
        return uniqueKey;
    }

    public String concurrencyKey() {
        return concurrencyKey;
    }

    public int snoozes() {
        return snoozes;
    }

    public LocalDateTime expiresAt() {
        return expiresAt;
    }

    public LocalDateTime runAt() {
        return runAt;
    }

    public LocalDateTime timeAdded() {
        return timeAdded;
    }

    public LocalDateTime timeStarted() {
        return timeStarted;
    }

    public LocalDateTime timeCompleted() {
        return timeCompleted;
    }

    public int attempt() {
        return attempt;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public int rescues() {
        return rescues;
    }

    public String owner() {
        return owner;
    }

    public LocalDateTime leaseUntil() {
        return leaseUntil;
    }

    public Integer returnCode() {
        return returnCode;
    }

    public String output() {
        return output;
    }

    /** Response headers of an http attempt as JSON object text, or null. */
    public String outputHeaders() {
        return outputHeaders;
    }

    public String error() {
        return error;
    }

    public Integer progress() {
        return progress;
    }

    public String progressMessage() {
        return progressMessage;
    }
}
