package io.queueserver.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class JobFilterTest {
    @Test
    void qIsAnIdOrTextForContextAndType() {
        assertEquals(42L, JobFilter.of(null, null, "42", null, null).qId());
        assertEquals(42L, JobFilter.of(null, null, "#42", null, null).qId());
        assertNull(JobFilter.of(null, null, "Bearer a", null, null).qId());
        assertEquals("%50!%!_x%", JobFilter.of(null, null, "50%_X", null, null).likePattern());
        assertEquals(java.util.Set.of("m"), JobFilter.of(null, null, null, null, null).within(java.util.Set.of("m")).within());
    }
}
