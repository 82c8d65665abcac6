package io.ticketrush.testsupport;

import java.time.Duration;

/** A fixed pause, for pacing a client or a fault; waiting for a state is Awaitility's job, not this. */
public final class Pause {

    private Pause() {}

    public static void of(Duration duration) {
        millis(duration.toMillis());
    }

    /** A negative length (a moment already passed) is no pause. */
    public static void millis(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
