package io.ticketrush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads a queued sale's ledger ({@code GET /admin/events/{id}}) every {@code every} on a thread of its own while a
 * test runs, and checks each reading: admitted-and-unused never above the tickets available, no part negative.
 * A reading refused by an outage (502, 503, 504, a broken connection) is skipped; any other failure fails the test
 * when the watch is closed, so a watch that stopped early cannot pass for one that saw everything.
 */
public final class QueueLedgerWatch implements AutoCloseable {

    private final List<JsonObject> readings = new ArrayList<>();
    private final CompletableFuture<Void> reading;
    private volatile boolean running = true;

    public QueueLedgerWatch(Api api, String event, Duration every) {
        reading = CompletableFuture.runAsync(
                () -> {
                    while (running) {
                        Api.Answer answer = null;
                        try {
                            answer = api.eventStatus(event);
                        } catch (RuntimeException outage) {
                            // skipped, like a 503
                        }
                        if (answer != null && !Set.of(502, 503, 504).contains(answer.status())) {
                            assertEquals(200, answer.status(), answer.body());
                            JsonObject data = answer.data();
                            check(data);
                            synchronized (readings) {
                                readings.add(data);
                            }
                        }
                        Pause.of(every);
                    }
                },
                task -> new Thread(task, "ledger-watch").start());
    }

    /**
     * Fails unless admitted-and-unused is within the tickets available and no part of the ledger is negative. That
     * the parts add up to {@code joined} is not checked: the service derives them from it, so they always do; a
     * test checks them against what its buyers were told ({@link QueueBuyers#assertLedgerIsWhatBuyersWereTold}).
     */
    public static void check(JsonObject status) {
        JsonObject queue = status.getJsonObject("queue");
        long available = status.getJsonNumber("available").longValue();
        long unused = queue.getJsonNumber("admittedUnused").longValue();
        assertTrue(
                unused >= 0 && unused <= available,
                "admitted-and-unused " + unused + " with " + available + " tickets available: " + status);
        for (String part : List.of("waiting", "admittedUnused", "bought", "lapsed", "toldSoldOut")) {
            assertTrue(queue.getJsonNumber(part).longValue() >= 0, part + " is negative: " + queue);
        }
    }

    /** Stops the watch, fails if a reading failed, and returns every reading (each already checked). */
    public List<JsonObject> readings() {
        close();
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            reading.join();
        } catch (CompletionException e) {
            throw new AssertionError("The ledger watch failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
