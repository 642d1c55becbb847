package io.queueserver.core;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobStateTest {

    @Test
    void keepsTheOriginalsWorkerStatusNumbers() {
        assertEquals(0, JobState.WAITING.workerStatus());
        assertEquals(1, JobState.WORKING.workerStatus());
        assertEquals(3, JobState.DONE.workerStatus());
        assertEquals(99, JobState.FAILED.workerStatus());
        assertEquals(4, JobState.CANCELLED.workerStatus());
        assertEquals(0, JobState.SCHEDULED.workerStatus(), "scheduled jobs are waiting for old clients");
        assertEquals(5, JobState.EXPIRED.workerStatus());
    }

    @Test
    void codesRoundTrip() {
        for (JobState s : JobState.values()) {
            assertEquals(s, JobState.ofCode(s.code()));
        }
    }

    @Test
    void onlyAllowedMovesAreAllowed() {
        assertTrue(JobState.WAITING.canMoveTo(JobState.WORKING));
        assertTrue(JobState.WORKING.canMoveTo(JobState.DONE));
        assertTrue(JobState.WORKING.canMoveTo(JobState.FAILED));
        assertTrue(JobState.WORKING.canMoveTo(JobState.SCHEDULED), "retry after backoff");
        assertTrue(JobState.WORKING.canMoveTo(JobState.WAITING), "rescue");
        assertTrue(JobState.FAILED.canMoveTo(JobState.WAITING), "manual retry");
        assertFalse(JobState.DONE.canMoveTo(JobState.WAITING));
        assertFalse(JobState.WAITING.canMoveTo(JobState.DONE), "a job cannot finish without running");
        assertFalse(JobState.SCHEDULED.canMoveTo(JobState.WORKING), "scheduled jobs become waiting first");
        assertTrue(JobState.DONE.next().isEmpty());
        assertTrue(JobState.WAITING.canMoveTo(JobState.EXPIRED) && JobState.SCHEDULED.canMoveTo(JobState.EXPIRED));
        assertFalse(JobState.WORKING.canMoveTo(JobState.EXPIRED), "a job that started does not expire");
        assertTrue(JobState.EXPIRED.next().isEmpty());
    }

    @Test
    void finalStates() {
        assertEquals(EnumSet.of(JobState.DONE, JobState.FAILED, JobState.CANCELLED, JobState.EXPIRED),
                EnumSet.copyOf(java.util.Arrays.stream(JobState.values()).filter(JobState::isFinal).toList()));
    }

    @Test
    void listWords() {
        assertEquals(EnumSet.of(JobState.WAITING, JobState.SCHEDULED, JobState.BLOCKED),
                JobState.ofWord("waiting").orElseThrow(), "the original's waiting: worker_status 0");
        assertEquals(EnumSet.of(JobState.BLOCKED), JobState.ofWord("blocked").orElseThrow());
        assertEquals(EnumSet.allOf(JobState.class), JobState.ofWord("all").orElseThrow());
        assertTrue(JobState.ofWord("bogus").isEmpty());
    }
}
