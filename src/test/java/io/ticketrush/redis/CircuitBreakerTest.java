package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.CircuitBreaker.Permission;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The fail-fast window: closed until a failure, open for the window, then one probe decides. */
class CircuitBreakerTest {

    private static final Duration WINDOW = Duration.ofMillis(500);

    private final AtomicLong now = new AtomicLong(1_000);
    private final CircuitBreaker breaker = new CircuitBreaker(WINDOW, now::get);

    @Test
    void letsEveryCallThroughWhileRedisAnswers() {
        assertEquals(Permission.CLOSED, breaker.ask());
        assertFalse(breaker.succeeded(Permission.CLOSED), "nothing to report while closed");
        assertEquals(Permission.CLOSED, breaker.ask());
    }

    @Test
    void failsCallsAtOnceWithinTheWindowAfterAFailure() {
        assertTrue(breaker.failed(), "the first failure opens the breaker");
        assertFalse(breaker.failed(), "a second failure is not news");

        now.addAndGet(WINDOW.toNanos() - 1);

        assertEquals(Permission.REJECTED, breaker.ask());
    }

    @Test
    void letsOneCallerProbeOnceTheWindowHasPassed() {
        breaker.failed();
        now.addAndGet(WINDOW.toNanos());

        assertEquals(Permission.PROBE, breaker.ask());
        assertEquals(Permission.REJECTED, breaker.ask(), "the others keep failing fast while the probe runs");
    }

    @Test
    void closesWhenTheProbeWorks() {
        breaker.failed();
        now.addAndGet(WINDOW.toNanos());
        Permission probe = breaker.ask();

        assertTrue(breaker.succeeded(probe), "closing is news");
        assertEquals(Permission.CLOSED, breaker.ask());
    }

    @Test
    void opensAnotherWindowWhenTheProbeFails() {
        breaker.failed();
        now.addAndGet(WINDOW.toNanos());
        breaker.ask();

        assertFalse(breaker.failed(), "still failing is not news");
        now.addAndGet(WINDOW.toNanos() - 1);
        assertEquals(Permission.REJECTED, breaker.ask());
        now.addAndGet(1);
        assertEquals(Permission.PROBE, breaker.ask());
    }
}
