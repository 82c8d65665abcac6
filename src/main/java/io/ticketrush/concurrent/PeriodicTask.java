package io.ticketrush.concurrent;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A job every instance runs every few hundred milliseconds, from deployment to shutdown. An outage (what the job's
 * {@code outage} recognises as a server being away) is logged once when it starts and once when it ends; any other
 * exception is a bug, logged in full, and the job runs again: a scheduled task that throws never would.
 */
public final class PeriodicTask {

    /** The task's log lines; {@code paused} is followed by what is away and why. */
    public record Wording(String paused, String resumed, String failed) {}

    private final Logger log;
    private final Wording wording;
    private final Function<RuntimeException, String> outage;
    private final Runnable job;
    private volatile boolean paused;
    private ScheduledFuture<?> future;

    private PeriodicTask(Logger log, Wording wording, Function<RuntimeException, String> outage, Runnable job) {
        this.log = log;
        this.wording = wording;
        this.outage = outage;
        this.job = job;
    }

    /**
     * Runs {@code job} every {@code periodMillis}; an exception for which {@code outage} names a reason (null for
     * none) pauses it.
     */
    public static PeriodicTask start(
            ScheduledExecutorService scheduler,
            long periodMillis,
            Logger log,
            Wording wording,
            Function<RuntimeException, String> outage,
            Runnable job) {
        PeriodicTask task = new PeriodicTask(log, wording, outage, job);
        task.future = scheduler.scheduleWithFixedDelay(task::run, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        return task;
    }

    /** Lets a run under way finish and starts no other. */
    public void stop() {
        future.cancel(false);
    }

    void run() {
        try {
            job.run();
            if (paused) {
                paused = false;
                log.info(wording.resumed());
            }
        } catch (RuntimeException e) {
            String why = outage.apply(e);
            if (why == null) {
                log.log(Level.SEVERE, wording.failed(), e);
            } else if (!paused) {
                paused = true;
                log.warning(wording.paused() + why);
            }
        }
    }
}
