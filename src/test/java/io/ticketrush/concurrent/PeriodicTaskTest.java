package io.ticketrush.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.RedisUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A periodic task logs an outage once at each end, logs a bug in full, and keeps running after either. */
class PeriodicTaskTest {

    private static final PeriodicTask.Wording WORDING = new PeriodicTask.Wording("Paused: ", "Resumed", "Failed");

    private final Logger log = Logger.getLogger(PeriodicTaskTest.class.getName() + "." + System.nanoTime());
    private final List<LogRecord> records = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void captureLog() {
        log.setUseParentHandlers(false);
        log.addHandler(new Handler() {
            @Override
            public synchronized void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void logsAnOutageOnceWhenItStartsAndOnceWhenItEnds() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        PeriodicTask task = PeriodicTask.start(scheduler, 1, log, WORDING, RedisUnavailableException::outage, () -> {
            int run = runs.incrementAndGet();
            // Run 4 is the first to work; its "Resumed" is logged once it has returned.
            if (run == 5) {
                done.countDown();
            }
            if (run <= 3) {
                throw new RedisUnavailableException("Redis unreachable", null);
            }
        });

        assertTrue(done.await(10, TimeUnit.SECONDS), "the task kept running through the outage");
        task.stop();

        assertEquals(List.of("WARNING Paused: Redis unreachable", "INFO Resumed"), lines());
    }

    @Test
    void logsABugInFullEveryTimeAndRunsAgain() throws InterruptedException {
        CountDownLatch twice = new CountDownLatch(2);
        IllegalStateException bug = new IllegalStateException("bug");
        PeriodicTask task = PeriodicTask.start(scheduler, 1, log, WORDING, RedisUnavailableException::outage, () -> {
            twice.countDown();
            throw bug;
        });

        assertTrue(twice.await(10, TimeUnit.SECONDS), "a task that threw ran again");
        task.stop();

        LogRecord first = records.get(0);
        assertEquals(Level.SEVERE, first.getLevel());
        assertEquals("Failed", first.getMessage());
        assertEquals(bug, first.getThrown());
    }

    @Test
    void pausesOnWhatTheTaskCallsAnOutage() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        PeriodicTask task = PeriodicTask.start(
                scheduler,
                1,
                log,
                WORDING,
                e -> e instanceof IllegalStateException ? "database: " + e.getMessage() : null,
                () -> {
                    // Run 3 is the first to work; its "Resumed" is logged once it has returned.
                    if (runs.incrementAndGet() == 4) {
                        done.countDown();
                    }
                    if (runs.get() <= 2) {
                        throw new IllegalStateException("refused");
                    }
                });

        assertTrue(done.await(10, TimeUnit.SECONDS));
        task.stop();

        assertEquals(List.of("WARNING Paused: database: refused", "INFO Resumed"), lines());
    }

    @Test
    void runsNoMoreOnceStopped() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        PeriodicTask task = PeriodicTask.start(scheduler, 1, log, WORDING, RedisUnavailableException::outage, () -> {
            runs.incrementAndGet();
            started.countDown();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));

        task.stop();
        int stoppedAt = runs.get();
        Thread.sleep(50);

        assertEquals(stoppedAt, runs.get());
    }

    private synchronized List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }
}
