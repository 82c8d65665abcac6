package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.SharedCluster;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * "Sold out" is said only when Redis has no ticket left: not when an instance's share is emptied by requests still
 * waiting for Redis, nor used up while the other instances' shares still sell. A small sale, so that each share is
 * a handful of permits, hammered over more connections than that through nginx.
 */
@ExtendWith(SharedCluster.class)
class TrueSoldOutIT {

    private static final int TICKETS = 60;
    private static final int CONNECTIONS = 120;
    private static final int FRESH_BUYERS = 40;
    private static final int HOLDER_REPEATS = 2_400;
    /** How often a buyer told "busy, try again" does, before the test gives up on them. */
    private static final int BUSY_RETRIES = 50;
    /** How often a buyer whose answer was lost on the way asks again. */
    private static final int LOST_RETRIES = 3;

    private static final long SAMPLE_EVERY_MS = 5;

    @Test
    void neverTellsAHolderOrAFreshBuyerSoldOutWhileTicketsAreLeft(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("true-sold-out");
        assertEquals(200, api.openSale(event, TICKETS, 300).status());
        String holderOrder = api.buy(event, "holder").data().getString("orderId");

        List<Supplier<Attempt>> calls = new ArrayList<>();
        for (int i = 0; i < HOLDER_REPEATS; i++) {
            calls.add(() -> attempt(api, event, "holder"));
        }
        for (int i = 0; i < FRESH_BUYERS; i++) {
            String buyer = "fresh-" + i;
            calls.add(() -> attempt(api, event, buyer));
            calls.add(() -> attempt(api, event, buyer));
        }
        Collections.shuffle(calls, new Random(20));
        List<Attempt> attempts;
        try (AvailableWatch watch = new AvailableWatch(cluster, event)) {
            attempts = Crowd.run(calls, CONNECTIONS);
            assertTrue(watch.least() > 0, "tickets were left throughout: at least " + watch.least());
        }

        Map<Integer, Integer> codes = new HashMap<>();
        Map<String, Set<String>> ordersByBuyer = new HashMap<>();
        int busy = 0;
        int lost = 0;
        for (Attempt attempt : attempts) {
            codes.merge(attempt.answer().code(), 1, Integer::sum);
            busy += attempt.busy();
            lost += attempt.lost();
            int code = attempt.answer().code();
            if (attempt.buyer().equals("holder")) {
                assertEquals(
                        -2,
                        code,
                        "the holder's every repeat: their order, "
                                + attempt.answer().body());
                assertEquals(holderOrder, attempt.answer().data().getString("orderId"));
            } else {
                assertTrue(
                        code == 1 || code == -2,
                        "a fresh buyer: a ticket, then their order: "
                                + attempt.answer().body());
                ordersByBuyer
                        .computeIfAbsent(attempt.buyer(), b -> new HashSet<>())
                        .add(attempt.answer().data().getString("orderId"));
            }
        }
        assertEquals(null, codes.get(-1), "nobody told sold out while tickets were left: " + codes);
        assertEquals(attempts.size(), codes.get(1) + codes.get(-2), "every answer a sale or an order held: " + codes);
        assertEquals(FRESH_BUYERS, ordersByBuyer.size(), "every fresh buyer got a ticket");
        try (Jedis redis = cluster.redis()) {
            for (Map.Entry<String, Set<String>> buyer : ordersByBuyer.entrySet()) {
                assertEquals(
                        Set.of(redis.hget("tr:{" + event + "}:buyers", buyer.getKey())),
                        buyer.getValue(),
                        buyer.getKey() + " was told of one order, the one Redis holds for them");
            }
        }
        assertTrue(codes.get(1) <= FRESH_BUYERS && codes.get(1) >= FRESH_BUYERS - lost, "one sale each: " + codes);
        assertEquals(1 + FRESH_BUYERS, api.eventStatus(event).data().getInt("reserved"));
        System.out.println("[TrueSoldOutIT] answers " + codes + ", 'busy, try again' answered " + busy + " times, "
                + lost + " answers lost on the way and asked for again");
    }

    @Test
    void saysSoldOutOnlyOnceRedisHasNothingLeft(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("sold-out-when");
        assertEquals(200, api.openSale(event, TICKETS, 300).status());
        int buyers = 3 * TICKETS;

        List<Supplier<Attempt>> calls = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String buyer = "buyer-" + i;
            for (int again = 0; again < 10; again++) {
                calls.add(() -> attempt(api, event, buyer));
            }
        }
        Collections.shuffle(calls, new Random(21));
        List<Attempt> attempts;
        List<Sample> samples;
        try (AvailableWatch watch = new AvailableWatch(cluster, event)) {
            attempts = Crowd.run(calls, CONNECTIONS);
            samples = watch.samples();
        }

        Map<String, Set<String>> ordersByBuyer = new HashMap<>();
        int soldOut = 0;
        for (Attempt attempt : attempts) {
            int code = attempt.answer().code();
            assertTrue(code == 1 || code == -1 || code == -2, attempt.answer().body());
            if (code == 1 || code == -2) {
                ordersByBuyer
                        .computeIfAbsent(attempt.buyer(), b -> new HashSet<>())
                        .add(attempt.answer().data().getString("orderId"));
            } else {
                soldOut++;
                // Nothing comes back in this sale (holds of 300 s): once a reading found a ticket left, there was one
                // at every moment before it. A "sold out" received before such a reading began was not true.
                for (Sample sample : samples) {
                    assertTrue(
                            sample.available() == 0 || sample.startedNanos() < attempt.answeredNanos(),
                            "told sold out while Redis still had " + sample.available() + " left");
                }
            }
        }
        assertEquals(TICKETS, ordersByBuyer.size(), "exactly the tickets there are, each known to its buyer");
        try (Jedis redis = cluster.redis()) {
            for (Map.Entry<String, Set<String>> buyer : ordersByBuyer.entrySet()) {
                assertEquals(
                        Set.of(redis.hget("tr:{" + event + "}:buyers", buyer.getKey())),
                        buyer.getValue(),
                        buyer.getKey() + " was told of one order, the one Redis holds for them");
            }
        }
        assertTrue(soldOut > 0, "and then it was sold out");
        assertEquals(TICKETS, api.eventStatus(event).data().getInt("reserved"));
    }

    /**
     * One buyer's purchase as the buyer's page makes it: sent again while the answer is "busy, try again"; and when
     * the answer is lost on the way (the connection breaks), sent again with retry=true, which gives back an order
     * the lost attempt may have made.
     */
    private static Attempt attempt(Api api, String event, String buyer) {
        int busy = 0;
        int lost = 0;
        while (busy <= BUSY_RETRIES && lost <= LOST_RETRIES) {
            Api.Answer answer;
            try {
                answer = lost > 0 ? api.buyAgain(event, buyer) : api.buy(event, buyer);
            } catch (UncheckedIOException brokenConnection) {
                lost++;
                continue;
            }
            if (answer.status() == 503 && answer.code() == -3) {
                assertEquals("1", answer.header("Retry-After"), "busy says when to try again");
                busy++;
                Pause.millis(50);
                continue;
            }
            assertEquals(200, answer.status(), answer.body());
            return new Attempt(buyer, answer, busy, lost, System.nanoTime());
        }
        throw new AssertionError(buyer + " was told 'busy' " + busy + " times and lost " + lost + " answers");
    }

    private record Attempt(String buyer, Api.Answer answer, int busy, int lost, long answeredNanos) {}

    private record Sample(long startedNanos, long available) {}

    /** Reads the sale's tickets left in Redis every few milliseconds, on a thread of its own, while a test runs. */
    private static final class AvailableWatch implements AutoCloseable {

        private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread;
        private volatile boolean stopped;

        AvailableWatch(Cluster cluster, String event) {
            String stock = "tr:{" + event + "}:stock";
            thread = new Thread(
                    () -> {
                        try (Jedis redis = cluster.redis()) {
                            while (!stopped) {
                                long started = System.nanoTime();
                                List<String> fields = redis.hmget(stock, "tickets", "reserved", "paid");
                                samples.add(new Sample(
                                        started,
                                        Long.parseLong(fields.get(0))
                                                - Long.parseLong(fields.get(1))
                                                - Long.parseLong(fields.get(2))));
                                Pause.millis(SAMPLE_EVERY_MS);
                            }
                        }
                    },
                    "available-watch");
            thread.start();
        }

        long least() {
            synchronized (samples) {
                return samples.stream().mapToLong(Sample::available).min().orElseThrow();
            }
        }

        List<Sample> samples() {
            synchronized (samples) {
                return List.copyOf(samples);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join();
            assertTrue(samples.size() > 10, "the watch read Redis throughout: " + samples.size() + " readings");
        }
    }
}
