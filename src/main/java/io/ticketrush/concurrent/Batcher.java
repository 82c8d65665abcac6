package io.ticketrush.concurrent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Calls of concurrent requests, made together. Each caller hands in its input and waits for its answer, or is
 * given a future of it; one thread of the batcher's own takes every call waiting (up to a batch) and hands them,
 * in the order they came, to the batch function, which completes each, then or later. While one batch is under
 * way the next one gathers, so the batches grow with the load by themselves: one round trip (to Redis, say) serves
 * as many requests as arrived during the last one.
 *
 * <p>Nobody waits on it without end. At most {@link Limits#capacity()} calls wait to be sent: one more is refused
 * at once ({@link Failures#full}) rather than queued behind work that may never be done. A call not answered
 * within {@link Limits#deadline()} of being handed in is failed ({@link #expire()}, which the owner runs every few
 * milliseconds, and {@link #call} itself): whatever holds the batching thread, its callers are answered. A call
 * whose deadline passed before it was sent is never sent: its caller has been told it failed. And the batching
 * thread outlives anything its batch function throws, {@link Error}s included: that batch's calls are failed, the
 * next batch goes as usual.
 *
 * @param <T> what a caller hands in
 * @param <R> what a caller gets back
 */
public final class Batcher<T, R> implements Runnable {

    private static final Logger LOG = Logger.getLogger(Batcher.class.getName());

    /** A call turned away unanswered, as its batcher reports it to be counted. */
    public enum Refusal {
        /** Refused at once: the queue was full. */
        FULL,
        /** Failed unanswered: its deadline passed while it waited to be sent, or while it was being sent. */
        EXPIRED
    }

    /**
     * How much may wait, and for how long.
     *
     * @param capacity calls that may wait to be sent; one more is refused
     * @param deadline how long a call may take, from being handed in to its answer
     */
    public record Limits(int capacity, Duration deadline) {

        public Limits {
            if (capacity < 1) {
                throw new IllegalArgumentException("a batcher's queue holds at least one call, not " + capacity);
            }
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("a batcher's deadline must be positive, not " + deadline);
            }
        }
    }

    /** What the calls a batcher turns away are failed with: exceptions its owner's callers know how to answer. */
    public interface Failures {

        /** For a call refused at once: {@code capacity} calls were already waiting. */
        RuntimeException full(int capacity);

        /** For a call whose deadline passed unanswered. */
        RuntimeException expired(Duration deadline);

        /** For each call of a batch that threw {@code error} (an {@link Error}: whether it was done is unknown). */
        RuntimeException failed(Throwable error);
    }

    /** One caller's call: its input and the answer it waits for. */
    public static final class Call<T, R> {

        private final T input;
        /** The {@code System.nanoTime()} by which it is answered, one way or the other. */
        private final long deadline;

        private final CompletableFuture<R> result = new CompletableFuture<>();

        Call(T input, long deadline) {
            this.input = input;
            this.deadline = deadline;
        }

        public T input() {
            return input;
        }

        public void complete(R value) {
            result.complete(value);
        }

        public void fail(RuntimeException failure) {
            result.completeExceptionally(failure);
        }

        boolean due(long now) {
            return now - deadline >= 0;
        }
    }

    /** How long the batching thread waits for a first call before it looks whether it was stopped. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final int maxBatch;
    private final int capacity;
    private final long deadlineNanos;
    private final Consumer<List<Call<T, R>>> batch;
    private final Consumer<Refusal> refused;
    private final Failures failures;
    private final LongSupplier nanoClock;
    private final BlockingQueue<Call<T, R>> pending;
    /** The batch being sent, for {@link #expire()} to fail past its deadline; never changed once published. */
    private volatile List<Call<T, R>> sending = List.of();

    private volatile boolean stopped;

    /**
     * @param maxBatch at most this many calls in one batch
     * @param limits   how many calls may wait, and how long a call may take
     * @param batch    completes or fails every call it is given (when it throws, each is failed with that); it must
     *                 not change the list
     * @param refused  told of every call refused or failed for {@code limits}, to count them
     * @param failures what a call refused or failed is failed with
     */
    public Batcher(
            int maxBatch,
            Limits limits,
            Consumer<List<Call<T, R>>> batch,
            Consumer<Refusal> refused,
            Failures failures) {
        this(maxBatch, limits, batch, refused, failures, System::nanoTime);
    }

    /** With the clock deadlines are kept by ({@code System.nanoTime()} but in tests). */
    Batcher(
            int maxBatch,
            Limits limits,
            Consumer<List<Call<T, R>>> batch,
            Consumer<Refusal> refused,
            Failures failures,
            LongSupplier nanoClock) {
        this.maxBatch = maxBatch;
        this.capacity = limits.capacity();
        this.deadlineNanos = limits.deadline().toNanos();
        this.batch = batch;
        this.refused = refused;
        this.failures = failures;
        this.nanoClock = nanoClock;
        this.pending = new LinkedBlockingQueue<>(capacity);
    }

    /**
     * Hands {@code input} in and waits for its answer, at most the deadline; the batch function's exception is
     * rethrown here, and a call unanswered by its deadline is {@link Failures#expired}'s.
     */
    public R call(T input) {
        Call<T, R> mine = enqueue(input);
        try {
            return mine.result.get(deadlineNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            expire(mine);
            // The answer may have come in the meantime; either way the future now holds the outcome.
            try {
                return mine.result.join();
            } catch (CompletionException failed) {
                throw unwrap(failed.getCause());
            }
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batched call", e);
        }
    }

    /**
     * Hands {@code input} in; its answer completes the future, on the thread that answers it. A refusal (the queue
     * is full, the instance is shutting down) is a future failed already.
     */
    public CompletableFuture<R> submit(T input) {
        try {
            return enqueue(input).result;
        } catch (RuntimeException refusedNow) {
            return CompletableFuture.failedFuture(refusedNow);
        }
    }

    private Call<T, R> enqueue(T input) {
        if (stopped) {
            throw new IllegalStateException("the instance is shutting down");
        }
        Call<T, R> mine = new Call<>(input, nanoClock.getAsLong() + deadlineNanos);
        if (!pending.offer(mine)) {
            refused.accept(Refusal.FULL);
            throw failures.full(capacity);
        }
        return mine;
    }

    /**
     * Fails every call whose deadline has passed, queued or being sent. The owner runs it every few milliseconds,
     * on a thread other than the batching one, which may be the one held up.
     */
    public void expire() {
        long now = nanoClock.getAsLong();
        for (Call<T, R> call : sending) {
            if (call.due(now)) {
                expire(call);
            }
        }
        // The queue is in the order the calls came, so the first call not due ends the search.
        for (Iterator<Call<T, R>> queued = pending.iterator(); queued.hasNext(); ) {
            Call<T, R> call = queued.next();
            if (!call.due(now)) {
                break;
            }
            queued.remove();
            expire(call);
        }
    }

    private void expire(Call<T, R> call) {
        if (call.result.completeExceptionally(failures.expired(Duration.ofNanos(deadlineNanos)))) {
            refused.accept(Refusal.EXPIRED);
        }
    }

    /**
     * The batching thread's loop, until {@link #stop()} and nothing else: not an exception, not an interrupt. Calls
     * still waiting then are failed.
     */
    @Override
    public void run() {
        while (!stopped) {
            try {
                sendNext();
            } catch (InterruptedException e) {
                // Only stop() ends the loop: an interrupt from anywhere else (Thread.stop interrupts as it throws)
                // is no reason to leave every caller after it without an answer.
            } catch (Throwable e) {
                // Failing a batch's calls failed (sendNext catches everything else): expire() fails them at their
                // deadline, as they are still in sending; the thread goes on.
                LOG.log(Level.SEVERE, "Could not fail a batch's calls; their deadline will", e);
            }
        }
        RuntimeException gone = new IllegalStateException("the instance is shutting down");
        Call<T, R> left;
        while ((left = pending.poll()) != null) {
            left.fail(gone);
        }
    }

    /**
     * Takes the calls waiting (after a first one) and hands them to the batch function. Whatever is thrown on the
     * way, every call taken is answered: by the batch function, or failed here.
     */
    private void sendNext() throws InterruptedException {
        Call<T, R> first = pending.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
            return;
        }
        List<Call<T, R>> calls = List.of(first);
        try {
            // Sized for a whole batch, so that draining never allocates.
            List<Call<T, R>> taken = new ArrayList<>(maxBatch);
            taken.add(first);
            calls = taken;
            pending.drainTo(taken, maxBatch - 1);
            long now = nanoClock.getAsLong();
            taken.removeIf(call -> {
                if (call.due(now)) {
                    expire(call);
                }
                return call.result.isDone();
            });
            if (taken.isEmpty()) {
                return;
            }
            calls = Collections.unmodifiableList(taken);
            sending = calls;
            batch.accept(calls);
        } catch (RuntimeException e) {
            calls.forEach(call -> call.fail(e));
        } catch (Throwable e) {
            // An Error says nothing of whether the calls were done: they are failed as after a timeout.
            LOG.log(Level.SEVERE, "A batch of " + calls.size() + " calls failed; the batching thread goes on", e);
            RuntimeException failure = failures.failed(e);
            calls.forEach(call -> call.fail(failure));
        }
        sending = List.of();
    }

    private static RuntimeException unwrap(Throwable cause) {
        return cause instanceof RuntimeException e ? e : new IllegalStateException(cause);
    }

    public void stop() {
        stopped = true;
    }
}
