package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The deadline check runs on its own named daemon thread, a twentieth of the deadline apart, and survives a throw. */
class DeadlineTimerTest {

    private final Logger log = Logger.getLogger(DeadlineTimerTest.class.getName() + "." + System.nanoTime());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    @Test
    void runsTheCheckAgainAfterItThrowsAndLogsTheFailure() throws InterruptedException {
        captureLog();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch again = new CountDownLatch(3);
        List<Thread> threads = new CopyOnWriteArrayList<>();

        DeadlineTimer timer = DeadlineTimer.start(Thread::new, "deadline-test", 200, log, "The check failed", () -> {
            threads.add(Thread.currentThread());
            again.countDown();
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("first run");
            }
        });
        try {
            assertTrue(again.await(5, TimeUnit.SECONDS), "ran " + runs.get() + " times");
        } finally {
            timer.stop();
        }

        assertEquals("deadline-test", threads.get(0).getName());
        assertTrue(threads.get(0).isDaemon());
        assertEquals(Level.SEVERE, records.get(0).getLevel());
        assertEquals("The check failed", records.get(0).getMessage());
        assertEquals("first run", records.get(0).getThrown().getMessage());
    }

    @Test
    void checksEveryTwentiethOfTheDeadline() throws InterruptedException {
        CountDownLatch twenty = new CountDownLatch(20);
        long start = System.nanoTime();

        DeadlineTimer timer = DeadlineTimer.start(Thread::new, "deadline-test", 1000, log, "failed", twenty::countDown);
        try {
            assertTrue(twenty.await(5, TimeUnit.SECONDS));
        } finally {
            timer.stop();
        }

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= 1000, "twenty checks took " + millis + " ms, not at least the deadline");
    }

    private void captureLog() {
        log.setUseParentHandlers(false);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }
}
