package io.queueserver.it;

import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that runs beside the others, which run one after the other (the failsafe configuration enables
 * this): it has its own database and its own nodes without a data grid, and spends most of its time waiting out
 * leases and timers. Such classes run one at a time (the lock), each with its methods in order.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("the lane beside the others")
@interface RunsBesideOthers {
}
