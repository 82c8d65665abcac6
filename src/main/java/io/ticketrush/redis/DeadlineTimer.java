package io.ticketrush.redis;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A check that enforces a deadline, run {@value #CHECKS_PER_DEADLINE} times per deadline so that it is at most that
 * share of it late. A thread of its own: the container's shared scheduler also runs the jobs that wait for Redis,
 * and would be held up exactly when deadlines pass.
 */
public final class DeadlineTimer {

    /** How often the check runs, as a share of the deadline. */
    static final int CHECKS_PER_DEADLINE = 20;

    private final ScheduledExecutorService executor;

    private DeadlineTimer(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /**
     * Runs {@code check} every {@code deadlineMillis / 20} on a daemon thread named {@code name}; a failure is logged
     * to {@code log} as {@code failed} and the check runs again.
     */
    public static DeadlineTimer start(
            ThreadFactory threads, String name, long deadlineMillis, Logger log, String failed, Runnable check) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(job -> {
            Thread thread = threads.newThread(job);
            thread.setName(name);
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(1, deadlineMillis / CHECKS_PER_DEADLINE);
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        check.run();
                    } catch (Throwable e) {
                        // A scheduled job that throws is never run again; this one must go on.
                        log.log(Level.SEVERE, failed, e);
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        return new DeadlineTimer(executor);
    }

    public void stop() {
        executor.shutdownNow();
    }
}
