package io.ticketrush.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.PipelineFailures;
import io.ticketrush.redis.RedisBusyException;
import io.ticketrush.redis.RedisUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher's bounds: its thread outlives any Throwable of its batch function, its queue refuses what it has no
 * room for, and no call outlives its deadline, queued, being sent or waited for. Deadlines run on a clock the test
 * moves; only {@link Batcher#call}'s own wait is real time.
 */
class BatcherTest {

    private static final Duration DEADLINE = Duration.ofMillis(200);
    /** How long a test waits for something that must happen at once; far beyond it, nothing can be in time. */
    private static final long PATIENCE_SECONDS = 10;

    private final AtomicLong now = new AtomicLong(1_000);
    private final Map<Batcher.Refusal, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final List<Batcher<?, ?>> running = new ArrayList<>();
    /** Released when a test ends, so that no batch function a test holds up outlives it. */
    private final CountDownLatch testOver = new CountDownLatch(1);
    /** The thread of the batcher started last. */
    private Thread batching;

    @AfterEach
    void stop() {
        testOver.countDown();
        running.forEach(Batcher::stop);
    }

    /** A started batcher of at most 8 calls a batch, a queue of {@code capacity}, on the test's clock. */
    private <T, R> Batcher<T, R> started(int capacity, Consumer<List<Batcher.Call<T, R>>> batch) {
        Batcher<T, R> batcher = new Batcher<>(
                8,
                new Batcher.Limits(capacity, DEADLINE),
                batch,
                refusal -> refusals.computeIfAbsent(refusal, r -> new AtomicInteger())
                        .incrementAndGet(),
                PipelineFailures.INSTANCE,
                now::get);
        Thread thread = new Thread(batcher, "batcher");
        thread.setDaemon(true);
        thread.start();
        running.add(batcher);
        batching = thread;
        return batcher;
    }

    private int refused(Batcher.Refusal refusal) {
        return refusals.getOrDefault(refusal, new AtomicInteger()).get();
    }

    private static <R> R answerOf(CompletableFuture<R> future) throws Exception {
        return future.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> future) {
        CompletionException failed = assertThrows(
                CompletionException.class,
                () -> future.orTimeout(PATIENCE_SECONDS, TimeUnit.SECONDS).join());
        return failed.getCause();
    }

    private void holdUntilTestOver() {
        try {
            testOver.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void failsTheBatchAnErrorWasThrownInAndAnswersTheNextOne() throws Exception {
        AtomicInteger batches = new AtomicInteger();
        Batcher<String, String> batcher = started(16, calls -> {
            if (batches.incrementAndGet() == 1) {
                throw new StackOverflowError("thrown by the batch function");
            }
            calls.forEach(call -> call.complete(call.input().toUpperCase()));
        });

        Throwable failure = failureOf(batcher.submit("first"));

        assertInstanceOf(RedisUnavailableException.class, failure, "answered 503, retry");
        assertInstanceOf(StackOverflowError.class, failure.getCause());
        assertEquals("SECOND", answerOf(batcher.submit("second")), "the batching thread went on");
        assertEquals("THIRD", batcher.call("third"));
    }

    @Test
    void keepsTheAnswersGivenBeforeAnErrorAndFailsTheRestOfThatBatch() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch bothQueued = new CountDownLatch(1);
        AtomicInteger batches = new AtomicInteger();
        Batcher<String, String> batcher = started(16, calls -> {
            int batch = batches.incrementAndGet();
            if (batch == 1) {
                // The first batch is the hold-up: the two calls the test wants together queue behind it.
                holding.countDown();
                awaitQuietly(bothQueued);
            }
            if (batch == 2) {
                calls.get(0).complete("answered");
                throw new OutOfMemoryError("thrown half way through the batch");
            }
            calls.forEach(call -> call.complete(call.input()));
        });
        CompletableFuture<String> holdUp = batcher.submit("hold-up");
        assertTrue(holding.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> answered = batcher.submit("a");
        CompletableFuture<String> unanswered = batcher.submit("b");
        bothQueued.countDown();

        assertEquals("hold-up", answerOf(holdUp));
        assertEquals("answered", answerOf(answered));
        assertInstanceOf(RedisUnavailableException.class, failureOf(unanswered));
        assertEquals("after", batcher.call("after"));
    }

    @Test
    void goesOnAfterItsThreadIsInterrupted() throws Exception {
        Batcher<String, String> batcher = started(16, calls -> calls.forEach(call -> call.complete(call.input())));
        assertEquals("before", answerOf(batcher.submit("before")));

        batching.interrupt();

        assertEquals("after", answerOf(batcher.submit("after")), "only stop() ends the batching thread");
        assertTrue(batching.isAlive());
    }

    @Test
    void failsEveryCallOfABatchWithTheRuntimeExceptionItsFunctionThrew() {
        RuntimeException outage = new RedisUnavailableException("Redis away", null);
        Batcher<String, String> batcher = started(16, calls -> {
            throw outage;
        });

        assertSame(outage, failureOf(batcher.submit("a")));
        assertSame(outage, assertThrows(RedisUnavailableException.class, () -> batcher.call("b")));
    }

    @Test
    void refusesACallAtOnceWhenAsManyAsItsQueueHoldsAreWaiting() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Batcher<Integer, Integer> batcher = started(3, calls -> {
            sending.countDown();
            awaitQuietly(release);
            calls.forEach(call -> call.complete(call.input()));
        });
        CompletableFuture<Integer> beingSent = batcher.submit(0);
        assertTrue(sending.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        List<CompletableFuture<Integer>> queued = List.of(batcher.submit(1), batcher.submit(2), batcher.submit(3));

        CompletableFuture<Integer> oneTooMany = batcher.submit(4);

        assertTrue(oneTooMany.isCompletedExceptionally(), "refused when handed in, not later");
        assertInstanceOf(RedisBusyException.class, failureOf(oneTooMany));
        assertThrows(RedisBusyException.class, () -> batcher.call(5));
        assertEquals(2, refused(Batcher.Refusal.FULL));
        release.countDown();
        assertEquals(0, answerOf(beingSent));
        for (int i = 0; i < queued.size(); i++) {
            assertEquals(i + 1, answerOf(queued.get(i)), "what was queued is answered");
        }
        assertEquals(6, answerOf(batcher.submit(6)), "room again once the queue has drained");
    }

    @Test
    void failsCallsPastTheirDeadlineWhetherBeingSentOrQueued() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        List<String> handedToTheBatch = new CopyOnWriteArrayList<>();
        Batcher<String, String> batcher = started(16, calls -> {
            calls.forEach(call -> handedToTheBatch.add(call.input()));
            sending.countDown();
            holdUntilTestOver();
        });
        CompletableFuture<String> beingSent = batcher.submit("sent");
        assertTrue(sending.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> queued = batcher.submit("queued");
        now.addAndGet(DEADLINE.toNanos() / 2);
        CompletableFuture<String> later = batcher.submit("later");

        batcher.expire();
        assertTrue(!beingSent.isDone() && !queued.isDone() && !later.isDone(), "nothing is due yet");

        now.addAndGet(DEADLINE.toNanos() / 2);
        batcher.expire();

        assertInstanceOf(RedisUnavailableException.class, failureOf(beingSent), "the held-up batch is answered");
        assertInstanceOf(RedisUnavailableException.class, failureOf(queued));
        assertTrue(!later.isDone(), "a call handed in later has time left");
        assertEquals(2, refused(Batcher.Refusal.EXPIRED));
        assertEquals(List.of("sent"), handedToTheBatch);
    }

    @Test
    void neverSendsACallWhoseDeadlinePassedWhileItWaited() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> handedToTheBatch = new CopyOnWriteArrayList<>();
        Batcher<String, String> batcher = started(16, calls -> {
            calls.forEach(call -> handedToTheBatch.add(call.input()));
            sending.countDown();
            awaitQuietly(release);
            calls.forEach(call -> call.complete(call.input()));
        });
        CompletableFuture<String> first = batcher.submit("first");
        assertTrue(sending.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> stale = batcher.submit("stale");
        now.addAndGet(DEADLINE.toNanos());
        CompletableFuture<String> fresh = batcher.submit("fresh");

        release.countDown();

        assertEquals("fresh", answerOf(fresh));
        assertInstanceOf(RedisUnavailableException.class, failureOf(stale));
        assertTrue(first.isDone());
        assertTrue(!handedToTheBatch.contains("stale"), "its caller was told it failed: it must not run");
    }

    @Test
    void callGivesUpAtItsDeadlineWhenNoAnswerComes() {
        Batcher<String, String> batcher = started(16, calls -> holdUntilTestOver());
        long start = System.nanoTime();

        RedisUnavailableException failure = assertThrows(RedisUnavailableException.class, () -> batcher.call("lost"));

        long waited = System.nanoTime() - start;
        assertTrue(waited >= DEADLINE.toNanos(), "waited " + waited + " ns, not the deadline");
        assertTrue(failure.getMessage().contains("no answer from Redis within 200 ms"), failure.getMessage());
        assertEquals(1, refused(Batcher.Refusal.EXPIRED));
    }

    @Test
    void failsTheCallsStillQueuedWhenStopped() throws Exception {
        CountDownLatch sending = new CountDownLatch(1);
        Batcher<String, String> batcher = started(16, calls -> {
            sending.countDown();
            holdUntilTestOver();
        });
        batcher.submit("held");
        assertTrue(sending.await(PATIENCE_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<String> queued = batcher.submit("queued");

        batcher.stop();
        testOver.countDown();

        assertInstanceOf(IllegalStateException.class, failureOf(queued));
        assertInstanceOf(IllegalStateException.class, failureOf(batcher.submit("too late")));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
