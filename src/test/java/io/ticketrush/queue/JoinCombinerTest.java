package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JoinCombinerTest {

    /** join.lua's contract, in memory: places per event in call order, one place per buyer. */
    private static final class FakeScript {
        final Map<String, Map<String, Long>> places = new HashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        volatile int mostInFlight;

        List<?> run(String eventId, List<String> args) {
            int now = inFlight.incrementAndGet();
            mostInFlight = Math.max(mostInFlight, now);
            calls.incrementAndGet();
            try {
                Thread.sleep(2); // a round trip
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Long> given = new ArrayList<>();
            synchronized (places) {
                Map<String, Long> event = places.computeIfAbsent(eventId, e -> new HashMap<>());
                for (int i = 0; i < args.size(); i += 2) {
                    given.add(event.computeIfAbsent(args.get(i), b -> (long) event.size() + 1));
                }
            }
            List<Object> reply = new ArrayList<>(List.of(1L, given.get(0), "7", -1L, 0L, 0L, 0L));
            reply.addAll(given.subList(1, given.size()));
            inFlight.decrementAndGet();
            return reply;
        }
    }

    private final List<JoinCombiner> running = new ArrayList<>();

    @AfterEach
    void stop() {
        running.forEach(JoinCombiner::stop);
    }

    private JoinCombiner started(JoinCombiner combiner) {
        Thread thread = new Thread(combiner, "join-combiner");
        thread.setDaemon(true);
        thread.start();
        running.add(combiner);
        return combiner;
    }

    @Test
    void concurrentJoinsShareCallsAndEachBuyerGetsTheirOwnPlace() throws Exception {
        FakeScript script = new FakeScript();
        JoinCombiner combiner = started(new JoinCombiner((event, args) -> CompletableFuture.completedFuture(script.run(event, args))));
        int buyers = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(64);
        Map<String, Long> placeOf = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String event = i % 2 == 0 ? "even" : "odd";
            String buyer = "buyer-" + i;
            done.add(pool.submit(() -> {
                List<Object> reply = combiner.join(event, buyer, "hash").join().reply();
                assertEquals(1L, reply.get(0));
                assertEquals("7", reply.get(2));
                placeOf.put(event + "/" + buyer, (Long) reply.get(1));
            }));
        }
        for (Future<?> future : done) {
            future.get();
        }
        pool.shutdown();
        assertEquals(buyers, placeOf.size());
        for (String event : List.of("even", "odd")) {
            Set<Long> places = new HashSet<>();
            placeOf.forEach((key, place) -> {
                if (key.startsWith(event + "/")) {
                    assertTrue(places.add(place), "no place given twice");
                }
            });
            assertEquals(buyers / 2, places.size());
            assertEquals(buyers / 2, places.stream().mapToLong(Long::longValue).max().orElseThrow(),
                    "places 1..n, none skipped");
            assertEquals(script.places.get(event).size(), places.size(), "each buyer's answer is the place recorded");
        }
        assertTrue(script.calls.get() < buyers / 4, "joins were combined: " + script.calls.get() + " calls");
        assertEquals(1, script.mostInFlight, "one call at a time from one instance");
    }

    @Test
    void joiningAgainInOneBatchGivesTheSamePlace() {
        FakeScript script = new FakeScript();
        JoinCombiner combiner = started(new JoinCombiner((event, args) -> CompletableFuture.completedFuture(script.run(event, args))));
        long first = (Long) combiner.join("e", "ann", "h").join().reply().get(1);
        assertEquals(first, combiner.join("e", "ann", "h").join().reply().get(1));
    }

    @Test
    void aFailedCallFailsEveryJoinInItWithTheSameException() {
        RuntimeException outage = new IllegalStateException("Redis away");
        JoinCombiner combiner = started(new JoinCombiner((event, args) -> {
            throw outage;
        }));
        CompletionException failed = assertThrows(CompletionException.class, () -> combiner.join("e", "ann", "h").join());
        assertSame(outage, failed.getCause());
    }
}
