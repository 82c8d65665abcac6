package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisClients;
import io.ticketrush.redis.RedisSettings;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.RedisClusterServers;
import io.ticketrush.testsupport.SharedServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The waiting room's Lua scripts on a real redis-server, called as the instances call them: the pre-queue and its
 * freeze, admission at the rate and never beyond the stock (also under many concurrent advancers), lapses, the
 * admission's checks in the reserve script, pause, reset. Redis's clock cannot be faked, so time is opensAt in
 * the past or the future and short real waits.
 */
class WaitingRoomScriptsIT {

    private static final LuaScript OPEN = LuaScript.load("open");
    private static final LuaScript RESTORE = LuaScript.load("restore");
    private static final LuaScript JOIN = LuaScript.load("join");
    private static final LuaScript ADVANCE = LuaScript.load("advance");
    private static final LuaScript ADMISSION = LuaScript.load("admission");
    private static final LuaScript RESERVE = LuaScript.load("reserve");
    private static final LuaScript STATUS = LuaScript.load("queue-status");
    private static final LuaScript PAUSE = LuaScript.load("queue-pause");
    private static final LuaScript SWEEP = LuaScript.load("sweep");
    private static final LuaScript PAY = LuaScript.load("pay");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final QueueTokens TOKENS =
            new QueueTokens("the tests' queue secret".getBytes(StandardCharsets.UTF_8));
    private static final long HOUR_MS = 3_600_000;
    /** Small, so that most pre-queues here take several pages. */
    private static final int DIGEST_PAGE = 3;

    private static RedisClient sharedRedis;
    private static Jedis jedis;

    /** The Redis this test's scripts run on: the shared server, or a Redis Cluster. */
    private RedisClient redis;

    private String event;
    private EventKeys keys;
    private QueueKeys queue;
    private byte[] seed;
    /** The generation the sale was last opened with. */
    private long currentGen;

    private QueueDraw draw;

    @BeforeAll
    static void connect() {
        sharedRedis = RedisClients.connectedTo(SharedServers.server().port());
        jedis = SharedServers.server().client();
    }

    @AfterAll
    static void disconnect() {
        RedisClients.close(sharedRedis);
        jedis.close();
    }

    @BeforeEach
    void newEvent() {
        // An event of its own rather than a flush: the Arquillian instances of the same run use this Redis.
        useEvent("wr-" + UUID.randomUUID(), sharedRedis);
    }

    @Test
    void joinsBeforeOpeningAreThePreQueueWhichTheFirstJoinAfterItFreezes() throws InterruptedException {
        long opensAt = redisNowMs() + 300;
        long gen = openQueued(10, HOUR_MS, opensAt, 100, HOUR_MS, "1.0");
        assertEquals(List.of(1L, 1L, Long.toString(gen)), join("ann"));
        assertEquals(List.of(1L, 2L, Long.toString(gen)), join("bob"));
        assertEquals(List.of(1L, 3L, Long.toString(gen)), join("cy"));
        assertEquals(List.of(1L, 1L, Long.toString(gen)), join("ann"), "joining again gives the same place");
        assertEquals(List.of(1L, -1L, 0L), advance(""), "before opensAt nothing is frozen");
        assertNull(field("frozen"));

        untilRedisTimeReaches(opensAt);
        assertEquals(2L, join("bob").get(1), "the same place after opening too");
        assertNull(field("frozen"), "a buyer joining again adds no place, so the pre-queue can wait to freeze");
        assertEquals(4L, join("dee").get(1), "later joiners are behind the pre-queue");
        assertEquals("3", field("frozen"), "the first new join at or after opensAt froze the pre-queue first");
        assertEquals(5L, join("eve").get(1));
        assertEquals("3", field("frozen"));
        assertEquals(List.of(1L, 3L, 0L), advance(""), "frozen at three; positions wait for the digest");
        assertEquals("5", field("joined"));
        assertEquals(
                List.of(hash("ann"), hash("bob"), hash("cy"), hash("dee"), hash("eve")),
                jedis.lrange(queue.joins(), 0, -1),
                "the public list: place hashes in place order");
        assertEquals(Map.of("ann", "1", "bob", "2", "cy", "3", "dee", "4", "eve", "5"), jedis.hgetAll(queue.places()));
    }

    @Test
    void advanceFreezesThePreQueueAtOpeningWhenNoJoinDid() throws InterruptedException {
        long opensAt = redisNowMs() + 200;
        openQueued(10, HOUR_MS, opensAt, 100, HOUR_MS, "1.0");
        for (String buyer : List.of("a", "b", "c", "d")) {
            join(buyer);
        }
        untilRedisTimeReaches(opensAt);
        assertEquals(List.of(1L, 4L, 0L), advance(""));
        assertEquals(5L, join("late").get(1));
        assertEquals("4", field("frozen"), "a join after the freeze does not move it");
        publishDigest();
        assertEquals(QueueDraw.digest(jedis.lrange(queue.joins(), 0, 3)), field("digest"));
        assertEquals(5L, draw.position(5), "a later joiner's position is their place");
        Set<Long> positions = new HashSet<>();
        for (long place = 1; place <= 4; place++) {
            positions.add(draw.position(place));
        }
        assertEquals(Set.of(1L, 2L, 3L, 4L), positions, "the pre-queue is a permutation of its places");
    }

    @Test
    void joinsTheBuyersOfOneCallInArrivalOrderFreezingBeforeTheFirstNewOne() throws InterruptedException {
        long opensAt = redisNowMs() + 200;
        long gen = openQueued(10, HOUR_MS, opensAt, 100, HOUR_MS, "1.0");
        assertEquals(1L, join("ann").get(1));
        untilRedisTimeReaches(opensAt);
        List<?> reply = eval(
                JOIN,
                List.of(keys.stock(), queue.queue(), queue.places(), queue.joins()),
                "bob",
                hash("bob"),
                "ann",
                hash("ann"),
                "cy",
                hash("cy"),
                "bob",
                hash("bob"));
        assertEquals(
                List.of(1L, 2L, Long.toString(gen), 1L, 0L, 0L, 0L, 1L, 3L, 2L),
                reply,
                "bob, ann's own place, cy, bob's again; frozen at one (ann) before bob joined");
        assertEquals("1", field("frozen"));
        assertEquals(List.of(hash("ann"), hash("bob"), hash("cy")), jedis.lrange(queue.joins(), 0, -1));
    }

    @Test
    void admitsNobodyBeforeTheDigestIsGiven() throws InterruptedException {
        openQueued(100, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("early", 10);
        for (int i = 0; i < 3; i++) {
            assertEquals(List.of(1L, 0L, 0L), advance(""), "frozen empty by the first join, after opensAt");
            Thread.sleep(100);
        }
        assertEquals("0", field("reach"), "no position is known, so nobody is admitted");
        assertEquals(List.of(-3L, "WAITING", 0L, "0"), admission(1, ""));
        publishDigest();
        assertEquals("0", field("reach"), "credit starts when the digest is given, not at opensAt");
        Thread.sleep(100);
        advance("");
        assertEquals("10", field("reach"), "then at the rate, here more than the ten who joined");
    }

    @Test
    void recordsNoDigestComputedForTheSaleBeforeAReset() throws InterruptedException {
        long opensAt = redisNowMs() + 200;
        long first = openQueued(5, HOUR_MS, opensAt, 1_000, HOUR_MS, "1.0");
        joinAll("early", 3);
        untilRedisTimeReaches(opensAt);
        assertEquals(List.of(1L, 3L, 0L), advance(""));
        String earlier = QueueDraw.digest(jedis.lrange(queue.joins(), 0, 2));

        opensAt = redisNowMs() + 200;
        long second = openQueued(5, HOUR_MS, opensAt, 1_000, HOUR_MS, "1.0");
        joinAll("again", 2);
        untilRedisTimeReaches(opensAt);
        assertEquals(List.of(1L, 2L, 0L), advance(earlier, first), "the digest of the sale before the reset");
        assertNull(field("digest"));
        assertTrue(
                new PreQueueDigest(redis, DIGEST_PAGE, HOUR_MS, "late")
                        .compute(event, first, 3)
                        .isEmpty(),
                "nothing to compute for a generation that is gone");
        assertNotEquals(first, second);
        publishDigest();
        assertNotEquals(earlier, field("digest"));
    }

    @Test
    void admitsAtTheRateAndNoFaster() throws InterruptedException {
        long rate = 20;
        openQueued(10_000, HOUR_MS, redisNowMs() - 1_000, rate, HOUR_MS, "1.0");
        joinAll("buyer", 200);
        long started = System.nanoTime();
        publishDigest();
        long given = System.nanoTime();
        long lastCall = given;
        while (System.nanoTime() - given < 1_000_000_000L) {
            Thread.sleep(50);
            lastCall = System.nanoTime();
            advance("");
            long reach = Long.parseLong(field("reach"));
            long elapsedMs = (System.nanoTime() - started) / 1_000_000 + 1;
            assertTrue(reach <= rate * elapsedMs / 1000, reach + " admitted in " + elapsedMs + " ms");
        }
        long reach = Long.parseLong(field("reach"));
        long atLeast = rate * ((lastCall - given) / 1_000_000) / 1000 - 1;
        assertTrue(reach >= atLeast, reach + " admitted, at least " + atLeast + " expected");
    }

    @Test
    void makesUpForAtMostOneSecondWhenNobodyAdvancedForLonger() throws InterruptedException {
        openQueued(10_000, HOUR_MS, redisNowMs() - 1_000, 10, HOUR_MS, "1.0");
        joinAll("buyer", 100);
        publishDigest();
        Thread.sleep(2_500);
        advance("");
        assertEquals("10", field("reach"), "two and a half seconds idle admit one second's worth");
        advance("");
        assertTrue(Long.parseLong(field("reach")) <= 11);
    }

    @Test
    void neverAdmitsMoreThanTheTicketsAvailable() throws InterruptedException {
        long gen = openQueued(5, 300, redisNowMs() + 500, 1_000, HOUR_MS, "1.0");
        joinAll("pre", 30);
        untilRedisTimeReaches(Long.parseLong(field("opensAt")));
        joinAll("late", 20);
        publishDigest();
        assertEquals(30, draw.size());
        advanceFor(200);
        assertLedger(5, 0, 0, 5);
        assertEquals(1L, admission(placeAt(5), "").get(0));
        assertEquals(List.of(-3L, "WAITING", 5L, "0"), admission(placeAt(6), ""), "the sixth waits: five tickets");

        List<?> paying = reserveAdmitted("buyer-1", gen, placeAt(1));
        assertEquals(1L, paying.get(0), paying.toString());
        assertEquals(
                1L,
                eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), (String) paying.get(1))
                        .get(0));
        advanceFor(100);
        assertLedger(5, 1, 0, 4);
        assertEquals("5", field("reach"), "a paid ticket is gone for good: its slot does not come back");

        assertEquals(1L, reserveAdmitted("buyer-2", gen, placeAt(2)).get(0));
        advanceFor(100);
        assertLedger(5, 2, 0, 3);
        assertEquals("5", field("reach"), "a held ticket is not available either");
        Thread.sleep(350);
        assertEquals(1L, sweep(), "buyer-2's hold expires unpaid");
        advanceFor(100);
        assertLedger(6, 2, 0, 4);
        assertEquals(1L, admission(placeAt(6), "").get(0), "the returned ticket admits the next position");
        assertEquals(-3L, admission(placeAt(7), "").get(0));
    }

    @Test
    void anOverbookOfTwoAdmitsTwiceTheTickets() throws InterruptedException {
        openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "2.0");
        joinAll("buyer", 50);
        publishDigest();
        advanceFor(300);
        assertEquals("10", field("reach"));
        assertEquals(List.of(-3L, "WAITING", 10L, "0"), admission(11, ""));
    }

    @Test
    void answersSoldOutOnlyOnceEveryTicketIsPaid() throws InterruptedException {
        long gen = openQueued(2, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("buyer", 5);
        publishDigest();
        advanceFor(100);
        String first = (String) reserveAdmitted("buyer-1", gen, 1).get(1);
        String second = (String) reserveAdmitted("buyer-2", gen, 2).get(1);
        assertEquals(List.of(-3L, "WAITING", 2L, "0"), admission(3, ""), "a hold may still come back");
        eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), first);
        assertEquals(-3L, admission(3, "").get(0));
        eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), second);
        assertEquals(List.of(-1L), admission(3, ""), "every ticket paid: nothing can come back");
        assertEquals(List.of(-409L, "used"), admission(1, ""), "the buyer's own place: used, not sold out");
    }

    @Test
    void manyConcurrentAdvancersAdmitNoFasterThanTheRate() {
        long rate = 100;
        openQueued(100_000, HOUR_MS, redisNowMs() - 1_000, rate, HOUR_MS, "1.0");
        joinAll("buyer", 1_000);
        long started = System.nanoTime();
        publishDigest();
        List<Supplier<Long>> advancers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            advancers.add(() -> {
                long highest = 0;
                while (System.nanoTime() - started < 1_500_000_000L) {
                    advance("");
                    QueueStatus status = status();
                    long elapsedMs = (System.nanoTime() - started) / 1_000_000 + 1;
                    assertTrue(status.reach() <= rate * elapsedMs / 1000, status.reach() + " in " + elapsedMs + " ms");
                    highest = Math.max(highest, status.reach());
                }
                return highest;
            });
        }
        Crowd.run(advancers, advancers.size());
        long reach = status().reach();
        assertTrue(reach >= rate * 14 / 10 - 20, "1.5 s at " + rate + "/s admitted " + reach);
        assertEquals(
                reach,
                jedis.zrange(queue.admits(), 0, -1).stream()
                        .mapToLong(end -> {
                            String[] info = jedis.hget(queue.admitInfo(), end).split("\\|");
                            return Long.parseLong(end) - Long.parseLong(info[0]) + 1;
                        })
                        .sum(),
                "the batches cover every admitted position once");
    }

    @Test
    void manyConcurrentAdvancersAndBuyersNeverAdmitBeyondTheStock() {
        int tickets = 20;
        long gen = openQueued(tickets, HOUR_MS, redisNowMs() - 1_000, 1_000, 500, "1.0");
        joinAll("buyer", 300);
        publishDigest();
        long deadline = System.nanoTime() + 20_000_000_000L;
        AtomicLong samples = new AtomicLong();
        Map<Long, String> sold = new ConcurrentHashMap<>();
        List<Supplier<Long>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            calls.add(() -> {
                while (!soldOut() && System.nanoTime() < deadline) {
                    advance("");
                    assertWithinBudget(samples);
                    Pause.millis(1);
                }
                return 0L;
            });
        }
        int buyers = 10;
        for (int i = 0; i < buyers; i++) {
            long first = i + 1;
            calls.add(() -> {
                // Positions first, first + buyers, ...; the odd ones never buy, so their admissions lapse.
                long bought = 0;
                for (long place = first; place <= 300 && System.nanoTime() < deadline; ) {
                    List<?> answer = admission(place, "");
                    long code = (Long) answer.get(0);
                    if (code == -1) {
                        break;
                    }
                    if (code == -3) {
                        Pause.millis(5);
                        continue;
                    }
                    if (code == 1 && place % 2 == 0) {
                        List<?> reserved = reserveAdmitted("buyer-" + place, gen, place);
                        if ((Long) reserved.get(0) == 1) {
                            sold.put(place, (String) reserved.get(1));
                            assertEquals(
                                    1L,
                                    eval(
                                                    PAY,
                                                    List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()),
                                                    (String) reserved.get(1))
                                            .get(0));
                            bought++;
                        }
                        assertWithinBudget(samples);
                    }
                    place += buyers;
                }
                return bought;
            });
        }
        long bought = Crowd.run(calls, calls.size()).stream()
                .mapToLong(Long::longValue)
                .sum();
        assertEquals(tickets, bought, "every ticket sold, to admitted buyers only");
        assertEquals(tickets, sold.size());
        assertTrue(
                sold.keySet().stream().allMatch(place -> place % 2 == 0), "only buyers who bought: " + sold.keySet());
        QueueStatus status = status();
        assertEquals(
                List.of((long) tickets, 0L, (long) tickets),
                List.of(status.paid(), status.reserved(), status.bought()));
        assertTrue(status.lapsed() > 0, "the odd positions lapsed");
        assertTrue(status.reach() - status.bought() - status.lapsed() >= 0);
        assertTrue(samples.get() > 100, "the invariant was sampled " + samples.get() + " times");
    }

    @Test
    void lapsesAdmissionsWhoseWindowHasPassed() throws InterruptedException {
        long gen = openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, 1_000, "1.0");
        joinAll("buyer", 20);
        publishDigest();
        advanceFor(100);
        assertEquals("5", field("reach"));
        assertEquals(1L, reserveAdmitted("buyer-1", gen, 1).get(0));
        assertEquals(1L, pause("1"));
        Thread.sleep(1_100);
        assertEquals(
                List.of(-403L, "lapsed"),
                reserveAdmitted("buyer-2", gen, 2),
                "past its window, before any advance has lapsed it");
        advance("");
        assertEquals(
                List.of("5", "1", "4"),
                List.of(field("reach"), field("bought"), field("lapsed")),
                "the batch's four unbought places lapsed");
        assertEquals(0, status().admittedUnused());
        assertEquals(List.of(-409L, "lapsed"), admission(2, ""));
        assertEquals(List.of(-403L, "lapsed"), reserveAdmitted("buyer-3", gen, 3));
        assertEquals(List.of(-409L, "used"), admission(1, ""), "the one who bought stays used, not lapsed");

        assertEquals(1L, pause("0"));
        advanceFor(100);
        assertEquals("9", field("reach"), "their four slots went back to the budget");
        assertEquals(1L, admission(6, "").get(0));
        assertEquals(List.of("1", "4"), List.of(field("bought"), field("lapsed")));
    }

    @Test
    void refusesTheAdmissionOfABatchAdvanceHasLapsed() throws InterruptedException {
        openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, 300, "1.0");
        joinAll("buyer", 10);
        publishDigest();
        advanceFor(100);
        List<?> admitted = admission(1, "");
        assertEquals(1L, admitted.get(0));
        untilRedisTimeReaches((Long) admitted.get(1) + 1);
        advance("");
        assertEquals(List.of(-409L, "lapsed"), admission(1, ""));
    }

    @Test
    void refusesAPurchaseWithoutAnAdmissionOnAQueuedSale() {
        openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        assertEquals(
                List.of(-403L, "required"),
                eval(RESERVE, keys.all(), event, "ann", "ann", "abc123"),
                "an instance that does not know yet that the sale is queued");
        assertEquals(List.of(-403L, "required"), eval(RESERVE, reserveKeys(), event, "ann", "ann", "abc123"));
        assertEquals(List.of("0", "0"), jedis.hmget(keys.stock(), "reserved", "paid"));
    }

    @Test
    void refusesAnAdmissionOfAnEarlierSale() throws InterruptedException {
        long first = openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("buyer", 3);
        publishDigest();
        advanceFor(100);
        assertEquals(1L, admission(1, "", first).get(0));
        long second = openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        assertNotEquals(first, second);
        joinAll("buyer", 3);
        publishDigest();
        advanceFor(100);
        assertEquals(List.of(-403L, "earlier sale"), reserveAdmitted("buyer-1", first, 1));
        assertEquals(List.of(-410L), admission(1, "", first));
        assertEquals(1L, reserveAdmitted("buyer-1", second, 1).get(0), "the new sale's admission buys");
    }

    @Test
    void anAdmissionBuysOnceEvenAfterItsOrderExpired() throws InterruptedException {
        long gen = openQueued(5, 200, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("buyer", 3);
        publishDigest();
        advanceFor(100);
        List<?> bought = reserveAdmitted("buyer-1", gen, 1);
        assertEquals(1L, bought.get(0));
        assertEquals(
                List.of(-2L, bought.get(1)),
                reserveAdmitted("buyer-1", gen, 1).subList(0, 2),
                "while held, the holder gets the order back");
        Thread.sleep(300);
        assertEquals(1L, sweep());
        assertEquals(List.of(-403L, "used"), reserveAdmitted("buyer-1", gen, 1));
        assertEquals(List.of(-409L, "used"), admission(1, ""));
        assertEquals(bought.get(1), jedis.hget(queue.used(), "1"));
        assertEquals(List.of("0", "1"), List.of(jedis.hget(keys.stock(), "reserved"), field("bought")));
    }

    @Test
    void aSaleWithoutAQueueIgnoresAdmissionsEntirely() {
        openPlain(3, HOUR_MS);
        assertEquals("0", jedis.hget(keys.stock(), "queued"));
        assertEquals(
                1L, eval(RESERVE, keys.all(), event, "ann", "ann", "abc123").get(0));
        assertEquals(
                1L,
                eval(RESERVE, reserveKeys(), event, "bob", "bob", "abc123", "", "1", "7", "7")
                        .get(0),
                "admission arguments of no sale are not even looked at");
        assertEquals(
                -2L,
                eval(RESERVE, reserveKeys(), event, "ann", "ann", "abc123", "", "1", "1", "1")
                        .get(0));
        assertEquals(1L, eval(RESERVE, keys.all(), event, "cy", "cy", "abc123").get(0));
        assertEquals(
                -1L, eval(RESERVE, keys.all(), event, "dee", "dee", "abc123").get(0));
        assertEquals(List.of(-404L), join("ann"));
        assertEquals(List.of(0L), advance(""));
        assertEquals(List.of(-404L), admission(1, "", 1));
        assertEquals(
                List.of(-404L, jedis.hget(keys.stock(), "gen")),
                eval(STATUS, List.of(keys.stock(), queue.queue())),
                "no waiting room, and the sale's generation that says so");
        assertEquals(0L, pause("1"));
        for (String key : queue.all()) {
            assertFalse(jedis.exists(key), key + " was written for a sale without a queue");
        }
    }

    @Test
    void noAdmissionWhilePausedAndNoBurstOnResume() throws InterruptedException {
        long rate = 10;
        openQueued(10_000, HOUR_MS, redisNowMs() - 1_000, rate, HOUR_MS, "1.0");
        joinAll("buyer", 100);
        publishDigest();
        advanceFor(500);
        assertEquals(1L, pause("1"));
        long reach = Long.parseLong(field("reach"));
        assertTrue(reach >= 3, "admitted before the pause: " + reach);
        advanceFor(1_500);
        assertEquals(Long.toString(reach), field("reach"), "nobody admitted while paused");
        assertEquals(List.of(-3L, "WAITING", reach, "1"), admission(reach + 1, ""));
        assertTrue(status().paused());

        assertEquals(1L, pause("0"));
        long resumed = System.nanoTime();
        advance("");
        assertTrue(Long.parseLong(field("reach")) <= reach + 1, "no burst: the pause's credit did not accumulate");
        advanceFor(300);
        long elapsedMs = (System.nanoTime() - resumed) / 1_000_000 + 1;
        long after = Long.parseLong(field("reach"));
        assertTrue(after <= reach + 1 + rate * elapsedMs / 1000, after + " after " + elapsedMs + " ms from " + reach);
        assertTrue(after > reach, "admission goes on after the resume");
    }

    @Test
    void resettingASaleDiscardsItsWaitingRoom() throws InterruptedException {
        long gen = openQueued(5, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("buyer", 4);
        publishDigest();
        advanceFor(100);
        assertEquals(1L, reserveAdmitted("buyer-1", gen, 1).get(0));
        for (String key : queue.all()) {
            assertTrue(jedis.exists(key), key);
        }

        long again = openQueued(7, HOUR_MS, redisNowMs() + HOUR_MS, 5, 60_000, "1.5");
        for (String key : List.of(queue.places(), queue.joins(), queue.admits(), queue.admitInfo(), queue.used())) {
            assertFalse(jedis.exists(key), key + " survived the reset");
        }
        assertEquals(
                List.of(Long.toString(again), "0", "0", "0", "0", "0", "5", "60000", "1.5"),
                jedis.hmget(
                        queue.queue(),
                        "gen",
                        "joined",
                        "reach",
                        "bought",
                        "lapsed",
                        "paused",
                        "rate",
                        "windowMs",
                        "overbook"));
        assertNull(field("frozen"));
        assertNull(field("digest"));
        assertEquals(QueueDraw.commitment(seed), field("commit"));
        assertEquals(1L, join("buyer-1").get(1), "a fresh queue: places start again");

        openPlain(5, HOUR_MS);
        assertEquals("0", jedis.hget(keys.stock(), "queued"), "a reset without a queue");
        for (String key : queue.all()) {
            assertFalse(jedis.exists(key), key + " survived a reset without a queue");
        }
        assertEquals(List.of(-404L), join("buyer-9"));
        assertEquals(
                1L,
                eval(RESERVE, keys.all(), event, "buyer-1", "buyer-1", "abc123").get(0));
    }

    @Test
    void aRestoredWaitingRoomIsANewOneThatRefusesThePlacesAndAdmissionsOfTheLostOne() throws InterruptedException {
        long gen = openQueued(3, HOUR_MS, redisNowMs() - 1_000, 1_000, HOUR_MS, "1.0");
        joinAll("buyer", 2);
        publishDigest();
        advanceFor(100);
        assertEquals(1L, reserveAdmitted("buyer-1", gen, 1).get(0));
        String order1 = jedis.hget(keys.buyers(), "buyer-1");
        String record1 = jedis.hget(keys.orders(), order1);

        // Redis loses the sale whole; PostgreSQL held its settings and buyer-1's order.
        jedis.del(openKeys().toArray(String[]::new));
        byte[] newSeed = new byte[QueueDraw.SEED_BYTES];
        RANDOM.nextBytes(newSeed);
        List<?> restored = eval(
                RESTORE,
                openKeys(),
                "3",
                Long.toString(HOUR_MS),
                Long.toString(gen),
                "1",
                Long.toString(redisNowMs() - 1_000),
                "1000",
                Long.toString(HOUR_MS),
                "1.0",
                QueueDraw.hex(newSeed),
                QueueDraw.commitment(newSeed),
                "0",
                order1,
                "R",
                record1.split("\\|")[1],
                "buyer-1",
                "buyer-1");
        long queueGen = (Long) restored.get(2);
        assertEquals(List.of(1L, 0L), restored.subList(0, 2));
        assertTrue(queueGen > gen, "the waiting room's own generation, above the sale's " + gen + ": " + queueGen);
        assertEquals(
                List.of(Long.toString(gen), "1"),
                jedis.hmget(keys.stock(), "gen", "queued"),
                "the sale keeps its generation, which its rows in the database carry, and still needs admissions");

        assertEquals(List.of(-410L), admission(2, "1", gen), "a place of the lost waiting room");
        assertEquals(
                List.of(-403L, "earlier sale"),
                reserveAdmitted("buyer-2", gen, 2),
                "an admission of the lost waiting room");
        assertEquals(
                List.of(-403L, "required"),
                eval(RESERVE, reserveKeys(), event, "buyer-3", "buyer-3", "abc123"),
                "no admission, no ticket");
        assertEquals(
                -2L,
                eval(RESERVE, reserveKeys(), event, "buyer-1", "buyer-1", "abc123")
                        .get(0),
                "buyer-1 keeps the order");
        assertEquals(
                List.of(1L, 1L, Long.toString(queueGen)), join("buyer-2"), "places start again, under the new one");
        seed = newSeed;
        // The digest is the restored waiting room's: computed for its own generation.
        currentGen = queueGen;
        publishDigest();
        advanceFor(100);
        assertEquals(
                1L,
                eval(
                                RESERVE,
                                reserveKeys(),
                                event,
                                "buyer-2",
                                "buyer-2",
                                "abc123",
                                "",
                                Long.toString(queueGen),
                                "1",
                                Long.toString(draw.position(1)))
                        .get(0),
                "admitted anew, buyer-2 buys");
    }

    @Test
    void everyKeyOfAWaitingRoomLivesInItsEventsSlot() {
        Set<Integer> slots = new HashSet<>();
        List<String> all = new ArrayList<>(keys.all());
        all.addAll(queue.all());
        all.add(queue.digestLease());
        for (String key : all) {
            slots.add(JedisClusterCRC16.getSlot(key));
        }
        assertEquals(1, slots.size(), all.toString());
        assertEquals(6, queue.all().size());
    }

    @Test
    void joinsAdvancesAdmitsAndSellsOnARedisCluster() throws InterruptedException {
        try (RedisClusterServers cluster = RedisClusterServers.start(Path.of("target", "it-redis-waiting-room"), 3)) {
            RedisClient onCluster = RedisClient.of(
                    RedisSettings.of(
                            "cluster",
                            "127.0.0.1",
                            6379,
                            cluster.nodes(),
                            "",
                            "mymaster",
                            Optional.empty(),
                            2000,
                            8,
                            "test",
                            0,
                            0),
                    500);
            try {
                useEvent("wr-cluster-" + UUID.randomUUID(), onCluster);
                long opensAt = redisNowMs() + 300;
                long gen = openQueued(2, HOUR_MS, opensAt, 1_000, HOUR_MS, "1.0");
                joinAll("buyer", 7);
                untilRedisTimeReaches(opensAt);
                assertEquals(1L, join("buyer-1").get(1));
                assertEquals(8L, join("late").get(1));
                assertEquals(List.of(1L, 7L, 0L), advance(""), "the seven who joined before opensAt");
                publishDigest();
                Thread.sleep(100);
                advance("");
                assertEquals(2L, status().reach());
                assertEquals(1L, admission(placeAt(1), "").get(0));
                assertEquals(List.of(-3L, "WAITING", 2L, "0"), admission(placeAt(3), ""));
                assertEquals(
                        1L,
                        reserveAdmitted("buyer-" + placeAt(1), gen, placeAt(1)).get(0));
                assertEquals(
                        1L,
                        reserveAdmitted("buyer-" + placeAt(2), gen, placeAt(2)).get(0));
                assertEquals(
                        List.of(-403L, "lapsed"),
                        reserveAdmitted("buyer-" + placeAt(3), gen, placeAt(3)),
                        "never admitted");
                assertEquals(
                        List.of(2L, 2L, 0L), List.of(status().bought(), status().reserved(), status().available()));
            } finally {
                RedisClients.close(onCluster);
            }
        }
    }

    private void useEvent(String eventId, RedisClient client) {
        redis = client;
        event = eventId;
        keys = EventKeys.of(event);
        queue = QueueKeys.of(event);
    }

    /** Opens (or resets) the sale with a waiting room as Sales does: a fresh seed and its commitment. */
    private long openQueued(long tickets, long holdMs, long opensAt, long rate, long windowMs, String overbook) {
        seed = new byte[QueueDraw.SEED_BYTES];
        RANDOM.nextBytes(seed);
        draw = null;
        currentGen = (Long) eval(
                        OPEN,
                        openKeys(),
                        Long.toString(tickets),
                        Long.toString(holdMs),
                        "1",
                        Long.toString(opensAt),
                        Long.toString(rate),
                        Long.toString(windowMs),
                        overbook,
                        QueueDraw.hex(seed),
                        QueueDraw.commitment(seed))
                .get(1);
        return currentGen;
    }

    private long openPlain(long tickets, long holdMs) {
        currentGen = (Long) eval(OPEN, openKeys(), Long.toString(tickets), Long.toString(holdMs), "1")
                .get(1);
        return currentGen;
    }

    private List<String> openKeys() {
        List<String> all = new ArrayList<>(keys.all());
        all.addAll(queue.all());
        return all;
    }

    private List<String> reserveKeys() {
        List<String> all = new ArrayList<>(keys.all());
        all.addAll(List.of(queue.queue(), queue.admits(), queue.admitInfo(), queue.used()));
        return all;
    }

    /** join.lua's {1, place, gen} (what it says beyond, the queue's state, is the Java side's to test). */
    private List<?> join(String buyer) {
        return head(
                eval(JOIN, List.of(keys.stock(), queue.queue(), queue.places(), queue.joins()), buyer, hash(buyer)));
    }

    private void joinAll(String prefix, int count) {
        for (int i = 1; i <= count; i++) {
            assertEquals(1L, join(prefix + "-" + i).get(0));
        }
    }

    private String hash(String buyer) {
        return TOKENS.placeHash(event, buyer);
    }

    /** advance.lua's {1, frozen or -1, digest known}, or {0} without a waiting room; a digest is the sale's own. */
    private List<?> advance(String digest) {
        return advance(digest, currentGen);
    }

    /** advance.lua as an instance calls it with the digest it computed for generation {@code computedFor}. */
    private List<?> advance(String digest, long computedFor) {
        return head(eval(
                ADVANCE,
                List.of(keys.stock(), queue.queue(), queue.admits(), queue.admitInfo()),
                digest,
                Long.toString(computedFor)));
    }

    private static List<?> head(List<?> reply) {
        return reply.subList(0, Math.min(3, reply.size()));
    }

    /** Calls advance.lua every 20 ms for {@code millis}, as the instances' advancers would. */
    private void advanceFor(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        do {
            advance("");
            Thread.sleep(20);
        } while (System.nanoTime() < end);
        advance("");
    }

    /**
     * What an instance does once the pre-queue is frozen: the digest of its place hashes, computed in pages of
     * {@value #DIGEST_PAGE} (PreQueueDigest) and recorded.
     */
    private void publishDigest() {
        List<?> frozen = advance("");
        long size = (Long) frozen.get(1);
        assertTrue(size >= 0, "opensAt has passed: " + frozen);
        String digest = new PreQueueDigest(redis, DIGEST_PAGE, HOUR_MS, "test-" + UUID.randomUUID())
                .compute(event, currentGen, size)
                .orElseThrow();
        List<String> hashes = size == 0 ? List.of() : redis.call(r -> r.lrange(queue.joins(), 0, size - 1));
        assertEquals(QueueDraw.digest(hashes), digest, "in pages as in one list");
        assertEquals(List.of(1L, size, 1L), advance(digest));
        draw = QueueDraw.of(seed, digest, size);
    }

    /** The place at {@code position} (the inverse of the draw, as a buyer finds their own). */
    private long placeAt(long position) {
        return draw.place(position);
    }

    private List<?> admission(long place, String position) {
        return admission(place, position, Long.parseLong(redis.call(r -> r.hget(keys.stock(), "gen"))));
    }

    private List<?> admission(long place, String position, long gen) {
        String at = position.isEmpty() && draw != null ? Long.toString(draw.position(place)) : position;
        return eval(
                ADMISSION,
                List.of(keys.stock(), queue.queue(), queue.admits(), queue.admitInfo(), queue.used()),
                Long.toString(gen),
                Long.toString(place),
                at);
    }

    private List<?> reserveAdmitted(String buyer, long gen, long place) {
        return eval(
                RESERVE,
                reserveKeys(),
                event,
                buyer,
                buyer,
                "abc123",
                "",
                Long.toString(gen),
                Long.toString(place),
                Long.toString(draw.position(place)));
    }

    private long sweep() {
        return (Long) ((List<?>) redis.eval(SWEEP, keys.all(), List.of("1000"))).get(0);
    }

    private long pause(String paused) {
        return (Long) eval(PAUSE, List.of(queue.queue()), paused).get(0);
    }

    private QueueStatus status() {
        return QueueStatusScript.decode(event, eval(STATUS, List.of(keys.stock(), queue.queue())))
                .status();
    }

    private boolean soldOut() {
        return status().soldOut();
    }

    /** One consistent reading: admitted-and-unused never above the tickets available (overbook 1). */
    private void assertWithinBudget(AtomicLong samples) {
        QueueStatus status = status();
        assertTrue(
                status.admittedUnused() <= status.available(),
                status + ": " + status.admittedUnused() + " admitted and unused, " + status.available() + " available");
        samples.incrementAndGet();
    }

    /** Checks reach, bought, lapsed and that admitted-and-unused equals the tickets available. */
    private void assertLedger(long reach, long bought, long lapsed, long available) {
        QueueStatus status = status();
        assertEquals(
                List.of(reach, bought, lapsed, available),
                List.of(status.reach(), status.bought(), status.lapsed(), status.available()),
                status.toString());
        assertTrue(status.admittedUnused() <= status.available());
    }

    private String field(String name) {
        return redis.call(r -> r.hget(queue.queue(), name));
    }

    /** Redis's clock (the shared server's: every test server runs on this machine, the cluster's too). */
    private static long redisNowMs() {
        List<String> time = jedis.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    private static void untilRedisTimeReaches(long epochMs) throws InterruptedException {
        while (redisNowMs() < epochMs) {
            Thread.sleep(10);
        }
    }

    private List<?> eval(LuaScript script, List<String> scriptKeys, String... args) {
        Object reply = redis.eval(script, scriptKeys, List.of(args));
        return reply instanceof List<?> list ? list : List.of(reply);
    }
}
