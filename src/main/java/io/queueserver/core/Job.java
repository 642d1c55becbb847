package io.queueserver.core;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.LocalDateTime;

/**
 * A job row. New jobs are persisted as entities (ids assigned from the node's block, see the store's id blocks, so
 * a group of them goes out as one multi-row INSERT); state moves are conditional UPDATEs fenced by attempt and owner,
 * each checked against {@link JobState#canMoveTo}.
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
    private LocalDateTime runAt;
    @Column(name = "time_added")
    private LocalDateTime timeAdded;
    @Column(name = "time_started")
    private LocalDateTime timeStarted;
    @Column(name = "time_completed")
    private LocalDateTime timeCompleted;
    private int attempt;
    @Column(name = "max_attempts")
    private int maxAttempts;
    private int rescues;
    private String owner;
    @Column(name = "lease_until")
    private LocalDateTime leaseUntil;
    @Column(name = "return_code")
    private Integer returnCode;
    private String output;
    @Column(name = "output_headers")
    private String outputHeaders;
    private String error;
    private Integer progress;
    @Column(name = "progress_message")
    private String progressMessage;
    @Column(name = "retry_base")
    private int retryBase;
    @Column(name = "neg_priority")
    private int negPriority;

    protected Job() {
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
    }

    public long id() {
        return id;
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
