package io.queueserver.core;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.LocalDateTime;

/**
 * A job row as the API reads it. Rows are written by SQL (inserts in batches, state moves as conditional
 * UPDATEs fenced by attempt and owner), so this mapping is read-only.
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

    /**
     * The select list of a job list's rows: every column but output and response headers, with payload and error
     * cut to a bounded prefix, so a page of jobs costs a bounded amount of memory whatever the jobs hold.
     */
    public static final String SUMMARY_COLUMNS = "j.id, j.stateCode, j.priority, j.context, j.type,"
            + " SUBSTRING(j.payload, 1, " + Job.PAYLOAD_HEAD + "), j.uniqueKey, j.runAt, j.timeAdded, j.timeStarted,"
            + " j.timeCompleted, j.attempt, j.maxAttempts, j.rescues, j.owner, j.leaseUntil, j.returnCode,"
            + " SUBSTRING(j.error, 1, " + Job.ERROR_HEAD + "), j.progress, j.progressMessage";
    public static final int PAYLOAD_HEAD = 4096;
    public static final int ERROR_HEAD = 2000;

    /** A row selected with {@link #SUMMARY_COLUMNS}: its payload is a prefix, output and headers are null. */
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
        return j;
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
