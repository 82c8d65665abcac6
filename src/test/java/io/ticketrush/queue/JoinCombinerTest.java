package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.concurrent.Batcher;
import io.ticketrush.redis.RedisBusyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JoinCombinerTest {

    /** join.lua's contract, in memory: places per event in call order, one place per buyer. */
    private static final class FakeScript {
        final Map<String, Map<String, Long>> places = new HashMap<>();
        final AtomicInteger calls = new AtomicInteger();
        final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        final AtomicInteger mostInFlightForOneEvent = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();

        JoinScript.Reply run(String eventId, List<JoinScript.Buyer> buyers) {
            AtomicInteger forEvent = inFlight.computeIfAbsent(eventId, e -> new AtomicInteger());
            mostInFlightForOneEvent.accumulateAndGet(forEvent.incrementAndGet(), Math::max);
            mostInFlight.accumulateAndGet(
                    inFlight.values().stream().mapToInt(AtomicInteger::get).sum(), Math::max);
            calls.incrementAndGet();
            try {
                Thread.sleep(2); // a round trip
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<Long> given = new ArrayList<>();
            synchronized (places) {
                Map<String, Long> event = places.computeIfAbsent(eventId, e -> new HashMap<>());
                for (JoinScript.Buyer buyer : buyers) {
                    given.add(event.computeIfAbsent(buyer.buyerKey(), b -> (long) event.size() + 1));
                }
            }
            List<Object> reply = new ArrayList<>(List.of(1L, given.get(0), "7", -1L, 0L, 0L, 0L));
            reply.addAll(given.subList(1, given.size()));
            forEvent.decrementAndGet();
            return JoinScript.decode(reply);
        }
    }

    /** Room for every test's buyers, and time beyond any test's patience. */
    private static final Batcher.Limits ROOMY = new Batcher.Limits(4_096, Duration.ofSeconds(30));

    private final List<JoinCombiner> running = new ArrayList<>();
    private final AtomicInteger refusedFull = new AtomicInteger();

    private JoinCombiner combining(
            BiFunction<String, List<JoinScript.Buyer>, CompletionStage<JoinScript.Reply>> script) {
        return combining(ROOMY, script);
    }

    private JoinCombiner combining(
            Batcher.Limits limits,
            BiFunction<String, List<JoinScript.Buyer>, CompletionStage<JoinScript.Reply>> script) {
        return new JoinCombiner(
                limits,
                refusal -> {
                    if (refusal == Batcher.Refusal.FULL) {
                        refusedFull.incrementAndGet();
                    }
                },
                script);
    }

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
        // Replies come on other threads, as Redis's do: a combiner that did not wait for them could have two
        // calls of one event in flight.
        ExecutorService redis = Executors.newFixedThreadPool(4);
        JoinCombiner combiner = started(
                combining((event, args) -> CompletableFuture.supplyAsync(() -> script.run(event, args), redis)));
        int buyers = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(64);
        Map<String, Long> placeOf = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String event = i % 2 == 0 ? "even" : "odd";
            String buyer = "buyer-" + i;
            done.add(pool.submit(() -> {
                JoinScript.Place joined = combiner.join(event, buyer, "hash").join();
                assertEquals(JoinScript.Outcome.JOINED, joined.outcome());
                assertEquals(7, joined.gen());
                placeOf.put(event + "/" + buyer, joined.place());
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
            assertEquals(
                    buyers / 2,
                    places.stream().mapToLong(Long::longValue).max().orElseThrow(),
                    "places 1..n, none skipped");
            assertEquals(script.places.get(event).size(), places.size(), "each buyer's answer is the place recorded");
        }
        redis.shutdown();
        assertEquals(1, script.mostInFlightForOneEvent.get(), "one call of an event at a time from one instance");
        assertEquals(2, script.mostInFlight.get(), "the two events' calls of a batch in flight together");
        assertTrue(script.calls.get() < buyers / 4, "joins were combined: " + script.calls.get() + " calls");
    }

    @Test
    void joiningAgainInOneBatchGivesTheSamePlace() {
        FakeScript script = new FakeScript();
        // Replies come on other threads, as Redis's do: a combiner that did not wait for them could have two
        // calls of one event in flight.
        ExecutorService redis = Executors.newFixedThreadPool(4);
        JoinCombiner combiner = started(
                combining((event, args) -> CompletableFuture.supplyAsync(() -> script.run(event, args), redis)));
        long first = combiner.join("e", "ann", "h").join().place();
        assertEquals(first, combiner.join("e", "ann", "h").join().place());
    }

    @Test
    void aFailedCallFailsEveryJoinInItWithTheSameException() {
        RuntimeException outage = new IllegalStateException("Redis away");
        JoinCombiner combiner = started(combining((event, args) -> {
            throw outage;
        }));
        CompletionException failed = assertThrows(
                CompletionException.class, () -> combiner.join("e", "ann", "h").join());
        assertSame(outage, failed.getCause());
    }

    @Test
    void refusesAJoinAtOnceWhenAsManyAsItsQueueHoldsAreWaiting() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        CompletableFuture<JoinScript.Reply> reply = new CompletableFuture<>();
        JoinCombiner combiner = started(combining(new Batcher.Limits(2, Duration.ofSeconds(30)), (event, args) -> {
            calling.countDown();
            return reply;
        }));
        CompletableFuture<JoinScript.Place> first = combiner.join("e", "first", "h");
        assertTrue(calling.await(10, TimeUnit.SECONDS), "the first join's call is under way");
        combiner.join("e", "second", "h");
        combiner.join("e", "third", "h");

        CompletableFuture<JoinScript.Place> fourth = combiner.join("e", "fourth", "h");

        assertTrue(fourth.isCompletedExceptionally(), "refused when it came, not queued");
        CompletionException failed = assertThrows(CompletionException.class, fourth::join);
        assertTrue(failed.getCause() instanceof RedisBusyException, String.valueOf(failed.getCause()));
        assertEquals(1, refusedFull.get());
        reply.complete(JoinScript.decode(List.of(1L, 1L, "7", -1L, 0L, 0L, 0L)));
        assertEquals(1L, first.join().place());
    }
}
