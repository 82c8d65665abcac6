package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.concurrent.Batcher;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.FreePorts;
import io.ticketrush.testsupport.InstanceDebugger;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.PayaraInstance;
import io.ticketrush.testsupport.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Every wait bounded, on one instance with a Redis of its own: the pipeline's thread hit by an {@link Error}, thrown
 * through the JVM's debugging interface as a real one strikes, and Redis frozen (SIGSTOP) under a crowd. Every
 * purchase is answered within its deadline, a JSON 503 with Retry-After where Redis could not answer; nothing is sold
 * twice, and a ticket Redis reserved after its buyer was told 503 is found by their retry.
 */
class BoundedWaitsIT {

    /** The instance's {@code redis.request-timeout-ms}. */
    private static final Duration DEADLINE = Duration.ofMillis(1_000);
    /** What an answer may take beyond its deadline on a loaded two-core machine; far from a wait without end. */
    private static final Duration MARGIN = Duration.ofMillis(1_500);
    /** The instance's {@code redis.pipeline-queue}: small, so that a crowd fills it. */
    private static final int QUEUE = 64;

    private static final String PIPELINE_THREAD = "ticketrush-redis-pipeline";
    private static final String PIPELINE_DEADLINES_THREAD = "ticketrush-redis-deadlines";

    private static RedisServer redis;
    private static PayaraInstance instance;
    private static InstanceDebugger debugger;
    private static Api api;

    @BeforeAll
    static void start() {
        Path dir = Path.of("target", "it-bounded-waits");
        redis = RedisServer.start(dir.resolve("redis"));
        int debugPort = FreePorts.any();
        instance = PayaraInstance.start(
                dir.resolve("payara"),
                PayaraInstance.properties(
                        "bounded-waits",
                        Map.of(
                                "redis.port", Integer.toString(redis.port()),
                                // Redis's own timeout far beyond the test's freeze: while Redis is frozen, only the
                                // deadlines answer.
                                "redis.timeout-ms", "10000",
                                "redis.request-timeout-ms", Long.toString(DEADLINE.toMillis()),
                                "redis.pipeline-queue", Integer.toString(QUEUE))),
                List.of(InstanceDebugger.agentOption(debugPort)));
        debugger = InstanceDebugger.attach(debugPort);
        api = instance.api();
    }

    @AfterAll
    static void stop() {
        if (debugger != null) {
            debugger.close();
        }
        if (instance != null) {
            instance.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** An answer and how long it took. */
    private record Timed(String buyer, Api.Answer answer, long millis) {}

    private static Timed timed(String buyer, Supplier<Api.Answer> request) {
        long start = System.nanoTime();
        Api.Answer answer = request.get();
        return new Timed(buyer, answer, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void assertAnsweredInTime(Timed timed) {
        assertTrue(
                timed.millis() <= DEADLINE.plus(MARGIN).toMillis(),
                timed.buyer() + " waited " + timed.millis() + " ms, beyond its deadline of " + DEADLINE.toMillis()
                        + " ms: " + timed.answer().body());
    }

    /** The answer when Redis could not answer in time: a JSON 503 in the envelope, with Retry-After. */
    private static void assertRetryLater(Timed timed) {
        Api.Answer answer = timed.answer();
        assertEquals(503, answer.status(), timed.buyer() + ": " + answer.body());
        assertEquals(-503, answer.code(), answer.body());
        assertEquals("1", answer.header("Retry-After"), timed.buyer() + " is told when to retry");
    }

    @Test
    void answersTheBatchAnErrorStruckAndSellsOnWithTheSameThread() {
        String event = Deployments.newEventId("error");
        api.openSale(event, 20, 600);
        Map<String, String> orders = new HashMap<>();
        orders.put("before", bought(api.buy(event, "before")));
        long pipeline = debugger.thread(PIPELINE_THREAD).uniqueID();

        CompletableFuture<Timed> struck = new CompletableFuture<>();
        debugger.throwErrorOnEntry(
                WritePipeline.class.getName(),
                "send",
                PIPELINE_THREAD,
                "thrown into the pipeline's thread by BoundedWaitsIT",
                () -> struck.completeAsync(() -> timed("struck", () -> api.buy(event, "struck"))),
                Duration.ofSeconds(20));

        Timed answer = struck.join();
        assertAnsweredInTime(answer);
        assertRetryLater(answer);
        for (int i = 0; i < 5; i++) {
            String buyer = "after-" + i;
            Timed after = timed(buyer, () -> api.buy(event, buyer));
            assertAnsweredInTime(after);
            orders.put(buyer, bought(after.answer()));
        }
        assertEquals(pipeline, debugger.thread(PIPELINE_THREAD).uniqueID(), "the same thread went on");
        // The Error struck before the batch was sent: the buyer holds nothing, and their retry buys.
        orders.put("struck", bought(api.buyAgain(event, "struck")));
        assertRedisHoldsExactly(event, orders);
    }

    @Test
    void answersEveryPurchaseWithinItsDeadlineWhileRedisIsFrozenAndSellsNothingTwice() {
        String event = Deployments.newEventId("frozen");
        api.openSale(event, 1_000, 600);
        Map<String, String> orders = new HashMap<>();
        // From now on the instance knows the sale: a purchase asks Redis nothing before it goes asynchronous.
        orders.put("warm-up", bought(api.buy(event, "warm-up")));
        double refusedFull = refused("full");
        double timedOut = api.metric("ticketrush_requests_timedout_total(\\{[^}]*\\})?");
        List<String> crowd = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            crowd.add("frozen-" + i);
        }

        // The pipeline's own deadlines held still as well: the calls stuck in Redis are answered by the requests'.
        debugger.suspend(PIPELINE_DEADLINES_THREAD, Batcher.class.getName());
        List<Timed> answers;
        redis.freeze(true);
        try {
            answers = Crowd.run(
                    crowd.stream()
                            .<Supplier<Timed>>map(buyer -> () -> timed(buyer, () -> api.buy(event, buyer)))
                            .toList(),
                    100);
        } finally {
            redis.freeze(false);
            debugger.resume(PIPELINE_DEADLINES_THREAD);
        }

        for (Timed answer : answers) {
            assertAnsweredInTime(answer);
            assertRetryLater(answer);
        }
        assertTrue(refused("full") > refusedFull, "the queue of " + QUEUE + " filled, and more were refused at once");
        assertTrue(
                api.metric("ticketrush_requests_timedout_total(\\{[^}]*\\})?") > timedOut,
                "requests were answered at their deadline");

        // Redis, going on, runs what it was sent while frozen. The buyers of that batch were told 503; their retry
        // finds their ticket. Everyone else's retry buys one.
        int found = 0;
        for (Timed answer : answers) {
            Api.Answer again = retried(event, answer.buyer());
            if (again.code() == -2) {
                found++;
            } else {
                assertEquals(1, again.code(), again.body());
            }
            orders.put(answer.buyer(), again.data().getString("orderId"));
        }
        assertTrue(found > 0, "Redis reserved tickets for buyers answered 503, and their retries found them");
        assertRedisHoldsExactly(event, orders);
    }

    /** The order of a purchase answered "reserved". */
    private static String bought(Api.Answer answer) {
        assertEquals(1, answer.code(), answer.body());
        return answer.data().getString("orderId");
    }

    /** The buyer's purchase sent again with {@code retry=true}, as the API asks after a 503, until it is answered. */
    private static Api.Answer retried(String event, String buyer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            Api.Answer answer = api.buyAgain(event, buyer);
            if (answer.status() == 200) {
                return answer;
            }
            assertEquals(503, answer.status(), "nothing but 503 until answered: " + answer.body());
            assertTrue(System.nanoTime() < deadline, "still 503 after 15 s: " + answer.body());
            Pause.of(Duration.ofMillis(50));
        }
    }

    private static double refused(String reason) {
        return api.metric(
                "ticketrush_redis_refused_total\\{[^}]*queue=\"pipeline\"[^}]*reason=\"" + reason + "\"[^}]*\\}");
    }

    /**
     * Redis holds exactly the orders the buyers were given, one each: as many reserved as orders, every buyer's
     * order the one they were told, no order without a buyer who knows it.
     */
    private static void assertRedisHoldsExactly(String event, Map<String, String> orders) {
        EventKeys keys = EventKeys.of(event);
        try (Jedis jedis = redis.client()) {
            assertEquals(Integer.toString(orders.size()), jedis.hget(keys.stock(), "reserved"), "reserved");
            Map<String, String> buyers = jedis.hgetAll(keys.buyers());
            assertEquals(orders, buyers, "each buyer holds the one order they were told of");
            Set<String> held = new HashSet<>(jedis.hkeys(keys.orders()));
            assertEquals(new HashSet<>(orders.values()), held, "no order that no buyer was told of");
        }
    }
}
