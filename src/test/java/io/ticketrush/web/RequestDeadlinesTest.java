package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.metrics.Counter;
import org.junit.jupiter.api.Test;

/** An asynchronous answer not there by its deadline is failed with a 503, once; one in time is left alone. */
class RequestDeadlinesTest {

    private static final long TIMEOUT_MILLIS = 1_000;
    private static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);

    private final AtomicLong counted = new AtomicLong();
    private final RequestDeadlines deadlines = RequestDeadlines.of(TIMEOUT_MILLIS, new Counter() {
        @Override
        public void inc() {
            counted.incrementAndGet();
        }

        @Override
        public void inc(long n) {
            counted.addAndGet(n);
        }

        @Override
        public long getCount() {
            return counted.get();
        }
    });

    @Test
    void failsAResultStillPendingAtItsDeadlineWithA503() {
        long watchedAt = System.nanoTime();
        CompletableFuture<String> result = new CompletableFuture<>();
        deadlines.watch(result);

        deadlines.expire(watchedAt);
        assertFalse(result.isDone(), "not due yet");
        deadlines.expire(System.nanoTime() + TIMEOUT_NANOS);

        ApiException failure = assertInstanceOf(
                ApiException.class,
                assertThrows(CompletionException.class, result::join).getCause());
        assertEquals(503, failure.status());
        assertEquals(1, counted.get());
    }

    @Test
    void leavesAResultDoneInTimeAsItIs() {
        CompletableFuture<String> result = new CompletableFuture<>();
        RequestDeadlines.Watched watched = deadlines.watch(result);
        result.complete("reserved");
        watched.done();

        deadlines.expire(System.nanoTime() + TIMEOUT_NANOS);

        assertEquals("reserved", result.join());
        assertEquals(0, counted.get(), "only timeouts are counted");
    }

    @Test
    void aReplyAfterTheDeadlineChangesNothingAnswered() {
        CompletableFuture<String> result = new CompletableFuture<>();
        deadlines.watch(result);
        deadlines.expire(System.nanoTime() + TIMEOUT_NANOS);

        assertFalse(result.complete("reserved, too late"), "the 503 stands; the reply answers no one");
        assertTrue(result.isCompletedExceptionally());
        deadlines.expire(System.nanoTime() + 2 * TIMEOUT_NANOS);
        assertEquals(1, counted.get(), "each request timed out once");
    }

    @Test
    void failsOnlyTheResultsThatAreDue() throws InterruptedException {
        CompletableFuture<String> early = new CompletableFuture<>();
        deadlines.watch(early);
        // Apart by more than the clock's resolution anywhere.
        Thread.sleep(5);
        long between = System.nanoTime();
        Thread.sleep(5);
        CompletableFuture<String> late = new CompletableFuture<>();
        deadlines.watch(late);

        deadlines.expire(between + TIMEOUT_NANOS);

        assertTrue(early.isCompletedExceptionally());
        assertFalse(late.isDone(), "watched after, so due after");
    }
}
