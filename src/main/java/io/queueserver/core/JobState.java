package io.queueserver.core;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Where a job is in its life. {@code code} is what the database stores, {@code workerStatus} what the PHP original's
 * API reported (scheduled jobs and retry waits are "waiting" there), {@code label} what the REST API shows.
 */
public enum JobState {
    WAITING(0, 0, "waiting"),
    WORKING(1, 1, "working"),
    DONE(3, 3, "done"),
    CANCELLED(4, 4, "cancelled"),
    SCHEDULED(5, 0, "scheduled"),
    /** not started by its {@code expires_at}: never ran */
    EXPIRED(6, 5, "expired"),
    /** waiting for the jobs it depends on to end (the original's "waiting") */
    BLOCKED(7, 0, "blocked"),
    FAILED(99, 99, "failed");

    /** Indexed by code (the codes are small): read for every row loaded. */
    private static final JobState[] BY_CODE = new JobState[100];

    static {
        for (JobState s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    private final int code;
    private final int workerStatus;
    private final String label;

    JobState(int code, int workerStatus, String label) {
        this.code = code;
        this.workerStatus = workerStatus;
        this.label = label;
    }

    public int code() {
        return code;
    }

    public int workerStatus() {
        return workerStatus;
    }

    public String label() {
        return label;
    }

    public boolean isFinal() {
        return this == DONE || this == FAILED || this == CANCELLED || this == EXPIRED;
    }

    /** The moves the server makes; every one of them is a conditional UPDATE on the current state. */
    public Set<JobState> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(WAITING, CANCELLED, EXPIRED);
            // released by its dependencies' end, or failed or cancelled by a dependency's failure
            case BLOCKED -> EnumSet.of(WAITING, SCHEDULED, FAILED, CANCELLED);
            case WAITING -> EnumSet.of(WORKING, CANCELLED, EXPIRED);
            // SCHEDULED: retry after backoff; WAITING: rescued, handed back, or released by a stopping node;
            // FAILED also when the job turned out to be poison
            case WORKING -> EnumSet.of(DONE, FAILED, CANCELLED, SCHEDULED, WAITING);
            // WAITING: a manual retry, or on the way to WORKING when run now
            case FAILED, CANCELLED -> EnumSet.of(WAITING);
            case DONE, EXPIRED -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean canMoveTo(JobState target) {
        return next().contains(target);
    }

    /** The target of a move from this state; a move the state machine does not allow is a bug and throws. */
    public JobState moveTo(JobState target) {
        if (!canMoveTo(target)) {
            throw new IllegalStateException("a job cannot move from " + label + " to " + target.label);
        }
        return target;
    }

    /** The states from which a job may move to {@code target}. */
    public static Set<JobState> from(JobState target) {
        EnumSet<JobState> from = EnumSet.noneOf(JobState.class);
        for (JobState s : values()) {
            if (s.canMoveTo(target)) {
                from.add(s);
            }
        }
        return from;
    }


    public static JobState ofCode(int code) {
        JobState state = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
        if (state == null) {
            throw new IllegalArgumentException("unknown job state code " + code);
        }
        return state;
    }

    /** The state the REST API calls {@code label}. */
    public static Optional<JobState> ofLabel(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst();
    }

    /** The words of the list routes ({@code /jobs/get/waiting}); "waiting" includes scheduled and blocked jobs. */
    public static Optional<Set<JobState>> ofWord(String word) {
        return switch (word) {
            case "all" -> Optional.of(EnumSet.allOf(JobState.class));
            case "waiting" -> Optional.of(EnumSet.of(WAITING, SCHEDULED, BLOCKED));
            case "working" -> Optional.of(EnumSet.of(WORKING));
            case "done" -> Optional.of(EnumSet.of(DONE));
            case "failed" -> Optional.of(EnumSet.of(FAILED));
            case "cancelled" -> Optional.of(EnumSet.of(CANCELLED));
            case "scheduled" -> Optional.of(EnumSet.of(SCHEDULED));
            case "blocked" -> Optional.of(EnumSet.of(BLOCKED));
            case "expired" -> Optional.of(EnumSet.of(EXPIRED));
            default -> Optional.empty();
        };
    }
}
