package io.ticketrush.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The fail-fast window around Redis: after a failure, calls fail at once for a while instead of each waiting out
 * the timeout, so a hung Redis does not hold every request thread. When the window has passed, one caller probes
 * Redis for everyone; the others keep failing fast until it answers.
 */
final class CircuitBreaker {

    /** What a caller may do now. */
    enum Permission {
        /** Fail at once: Redis failed within the window. */
        REJECTED,
        /** Go ahead: Redis answers. */
        CLOSED,
        /** Go ahead as the one probe after the window: its outcome closes the breaker or opens it again. */
        PROBE
    }

    private final long windowNanos;
    private final LongSupplier nanoClock;
    /** The clock reading until which calls are rejected; 0 while closed. */
    private final AtomicLong openUntil = new AtomicLong();

    CircuitBreaker(Duration window) {
        this(window, System::nanoTime);
    }

    CircuitBreaker(Duration window, LongSupplier nanoClock) {
        this.windowNanos = window.toNanos();
        this.nanoClock = nanoClock;
    }

    Permission ask() {
        long until = openUntil.get();
        if (until == 0) {
            return Permission.CLOSED;
        }
        long now = nanoClock.getAsLong();
        // The probe pushes the window on, so that the others keep failing fast while it waits for Redis.
        if (now - until < 0 || !openUntil.compareAndSet(until, now + windowNanos)) {
            return Permission.REJECTED;
        }
        return Permission.PROBE;
    }

    /** Records a call that worked; true when it closed the breaker (worth one log line). */
    boolean succeeded(Permission permission) {
        if (permission != Permission.PROBE) {
            return false;
        }
        openUntil.set(0);
        return true;
    }

    /** Records a failure, opening the window from now; true when the breaker was closed (worth one log line). */
    boolean failed() {
        return openUntil.getAndSet(nanoClock.getAsLong() + windowNanos) == 0;
    }
}
