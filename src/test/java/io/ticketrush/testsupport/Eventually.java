package io.ticketrush.testsupport;

import java.time.Duration;
import java.time.Instant;

/** Retries an assertion until it holds or the limit passes; the last failure is the test's failure. */
public final class Eventually {

    private static final Duration POLL = Duration.ofMillis(50);

    private Eventually() {
    }

    public static void within(Duration limit, Runnable assertion) {
        Instant deadline = Instant.now().plus(limit);
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
            }
            Pause.sleep(POLL);
        }
    }
}
