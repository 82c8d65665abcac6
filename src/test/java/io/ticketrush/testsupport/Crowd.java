package io.ticketrush.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Many buyers at once: runs every call on {@code concurrency} threads and returns the answers in order. A call
 * that fails fails the crowd; an assertion made inside a call stays an assertion failure.
 */
public final class Crowd {

    private Crowd() {}

    public static <T> List<T> run(List<Supplier<T>> calls, int concurrency) {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Supplier<T> call : calls) {
                futures.add(pool.submit(call::get));
            }
            List<T> answers = new ArrayList<>();
            for (Future<T> future : futures) {
                answers.add(future.get());
            }
            return answers;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failed) {
                throw new AssertionError("A call in the crowd failed: " + failed.getMessage(), failed);
            }
            throw new IllegalStateException("A call in the crowd failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
    }
}
