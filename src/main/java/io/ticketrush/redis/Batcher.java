package io.ticketrush.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls of concurrent requests, made together. Each caller hands in its input and waits for its answer, or is
 * given a future of it; one thread of the batcher's own takes every call waiting (up to a batch) and hands them,
 * in the order they came, to the batch function, which completes each, then or later. While one batch is under
 * way the next one gathers, so the batches grow with the load by themselves: one round trip to Redis serves as
 * many requests as arrived during the last one.
 *
 * @param <T> what a caller hands in
 * @param <R> what a caller gets back
 */
public final class Batcher<T, R> implements Runnable {

    /** One caller's call: its input and the answer it waits for. */
    public static final class Call<T, R> {

        private final T input;
        private final CompletableFuture<R> result = new CompletableFuture<>();

        Call(T input) {
            this.input = input;
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
    }

    /** How long the batching thread waits for a first call before it looks whether it was stopped. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final int maxBatch;
    private final Consumer<List<Call<T, R>>> batch;
    private final BlockingQueue<Call<T, R>> pending = new LinkedBlockingQueue<>();
    private volatile boolean stopped;

    /**
     * @param maxBatch at most this many calls in one batch
     * @param batch    completes or fails every call it is given (when it throws, each is failed with that)
     */
    public Batcher(int maxBatch, Consumer<List<Call<T, R>>> batch) {
        this.maxBatch = maxBatch;
        this.batch = batch;
    }

    /** Hands {@code input} in and waits for its answer; the batch function's exception is rethrown here. */
    public R call(T input) {
        try {
            return submit(input).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a batched call", e);
        }
    }

    /** Hands {@code input} in; its answer completes the future, on the thread that answers it. */
    public CompletableFuture<R> submit(T input) {
        if (stopped) {
            throw new IllegalStateException("the instance is shutting down");
        }
        Call<T, R> mine = new Call<>(input);
        pending.add(mine);
        return mine.result;
    }

    /** The batching thread's loop, until {@link #stop()}; calls still waiting then are failed. */
    @Override
    public void run() {
        List<Call<T, R>> calls = new ArrayList<>();
        while (!stopped) {
            try {
                Call<T, R> first = pending.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                calls.add(first);
                pending.drainTo(calls, maxBatch - 1);
                batch.accept(calls);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                calls.forEach(call -> call.fail(e));
            } finally {
                calls.clear();
            }
        }
        RuntimeException gone = new IllegalStateException("the instance is shutting down");
        Call<T, R> left;
        while ((left = pending.poll()) != null) {
            left.fail(gone);
        }
    }

    public void stop() {
        stopped = true;
    }
}
