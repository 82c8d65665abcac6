package io.ticketrush.testsupport;

import java.time.Duration;

/** Thread.sleep for tests: a wait already past is none, and an interrupt ends the test (the flag kept set). */
public final class Pause {

    private Pause() {
    }

    public static void sleep(Duration duration) {
        sleep(duration.toMillis());
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
