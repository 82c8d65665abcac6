package io.ticketrush.queue;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisClients;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.SharedServers;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The digest of a frozen pre-queue read in pages on a real redis-server, as the instances read it at the opening:
 * the same digest as the one-shot definition whatever the page size, one reader at a time under the lease, and
 * another taking over from a reader that stopped. The pre-queues are thousands of places and the pages small, so
 * that every reading takes many pages.
 */
class PreQueueDigestIT {

    private static final LuaScript OPEN = LuaScript.load("open");
    private static final LuaScript JOIN = LuaScript.load("join");
    private static final LuaScript ADVANCE = LuaScript.load("advance");
    private static final LuaScript ADMISSION = LuaScript.load("admission");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final QueueTokens TOKENS =
            new QueueTokens("the tests' queue secret".getBytes(StandardCharsets.UTF_8));
    private static final long HOUR_MS = 3_600_000;
    /** How long before opensAt a pre-queue is opened: enough to join it whole, by calls of {@value #JOIN_CALL}. */
    private static final long JOIN_LEAD_MS = 2_000;

    private static final int JOIN_CALL = 250;

    private static RedisClient redis;
    private static Jedis jedis;

    private String event;
    private QueueKeys queue;
    private byte[] seed;

    @BeforeAll
    static void connect() {
        redis = RedisClients.connectedTo(SharedServers.server().port());
        jedis = SharedServers.server().client();
    }

    @AfterAll
    static void disconnect() {
        RedisClients.close(redis);
        jedis.close();
    }

    @BeforeEach
    void newEvent() {
        // An event of its own rather than a flush: the Arquillian instances of the same run use this Redis.
        event = "pqd-" + UUID.randomUUID();
        queue = QueueKeys.of(event);
    }

    @Test
    void digestsAPreQueueOfManyPagesAsTheOneShotDefinitionAndPositionsFollow() throws InterruptedException {
        long gen = frozenPreQueue(2_500, 3);
        String oneShot = QueueDraw.digest(jedis.lrange(queue.joins(), 0, 2_499));
        String holder = "instance-" + UUID.randomUUID();
        for (int page : List.of(1, 64, 1_000, 2_499, 2_500, 10_000)) {
            assertEquals(
                    Optional.of(oneShot),
                    new PreQueueDigest(redis, page, HOUR_MS, holder).compute(event, gen, 2_500),
                    "pages of " + page);
        }

        assertEquals(List.of(1L, 2_500L, 1L), advance(oneShot, gen).subList(0, 3));
        assertEquals(oneShot, jedis.hget(queue.queue(), "digest"));
        assertEquals(
                Optional.empty(),
                new PreQueueDigest(redis, 64, HOUR_MS, holder).compute(event, gen, 2_500),
                "nothing more to compute once the digest is recorded");
        QueueDraw draw = QueueDraw.of(seed, oneShot, 2_500);
        Thread.sleep(50);
        advance("", gen);
        long first = draw.place(1);
        assertEquals(1L, admission(gen, first, 1).get(0), "the place drawn first is admitted at position 1");
        assertEquals(2_503L, draw.position(2_503), "a late joiner's position is their place");
    }

    @Test
    void onlyOneOfSeveralInstancesReadsThePreQueueWhileTheOthersWait() {
        long gen = frozenPreQueue(3_000, 0);
        String oneShot = QueueDraw.digest(jedis.lrange(queue.joins(), 0, 2_999));
        List<Supplier<Optional<String>>> instances = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            PreQueueDigest digests = new PreQueueDigest(redis, 50, HOUR_MS, "instance-" + i);
            instances.add(() -> digests.compute(event, gen, 3_000));
        }

        List<Optional<String>> digests = Crowd.run(instances, instances.size());

        assertEquals(1, digests.stream().filter(Optional::isPresent).count(), "one computed: " + digests);
        assertEquals(
                oneShot, digests.stream().flatMap(Optional::stream).findFirst().orElseThrow());
    }

    @Test
    void anotherInstanceTakesOverWhenTheHolderStopsRenewingItsLease() {
        long gen = frozenPreQueue(1_000, 0);
        String oneShot = QueueDraw.digest(jedis.lrange(queue.joins(), 0, 999));
        PreQueueDigest stalled = new PreQueueDigest(redis, 50, 500, "stalled");
        PreQueueDigest next = new PreQueueDigest(redis, 50, 500, "next");
        assertEquals(DigestLeaseScript.Lease.HELD, stalled.lease(event, gen), "it takes the lease and stops there");

        assertEquals(Optional.empty(), next.compute(event, gen, 1_000), "the holder's lease is still running");
        await().atMost(Duration.ofSeconds(5)).until(() -> !jedis.exists(queue.digestLease()));
        assertEquals(Optional.of(oneShot), next.compute(event, gen, 1_000), "taken over once the lease ran out");
        assertEquals(
                DigestLeaseScript.Lease.TAKEN,
                stalled.lease(event, gen),
                "the stalled holder, back, finds its lease gone and stops at its next page");
    }

    @Test
    void aLeaseOfTheSaleBeforeAResetIsNoOnes() {
        long before = frozenPreQueue(100, 0);
        PreQueueDigest earlier = new PreQueueDigest(redis, 10, HOUR_MS, "earlier");
        assertEquals(DigestLeaseScript.Lease.HELD, earlier.lease(event, before));

        long gen = frozenPreQueue(200, 0);
        String oneShot = QueueDraw.digest(jedis.lrange(queue.joins(), 0, 199));
        assertEquals(Optional.of(oneShot), new PreQueueDigest(redis, 10, HOUR_MS, "now").compute(event, gen, 200));
        assertEquals(DigestLeaseScript.Lease.NOTHING_TO_DO, earlier.lease(event, before), "its sale is gone");
    }

    @Test
    void computesNothingBeforeThePreQueueIsFrozen() {
        long gen = openQueued(redisNowMs() + HOUR_MS);
        join("early", 0, 10);

        assertEquals(Optional.empty(), new PreQueueDigest(redis, 3, HOUR_MS, "eager").compute(event, gen, 10));
        assertNull(jedis.get(queue.digestLease()), "no lease taken");
    }

    /**
     * Opens a queued sale whose pre-queue is {@code places} buyers, with {@code late} more joining after opensAt,
     * and freezes it; the sale's generation.
     */
    private long frozenPreQueue(int places, int late) {
        long opensAt = redisNowMs() + JOIN_LEAD_MS;
        long gen = openQueued(opensAt);
        join("early", 0, places);
        long joinedAt = redisNowMs();
        assertTrue(joinedAt < opensAt, "the pre-queue joined before opensAt, " + (joinedAt - opensAt) + " ms late");
        while (redisNowMs() < opensAt) {
            Pause.millis(10);
        }
        join("late", 0, late);
        assertEquals(List.of(1L, (long) places, 0L), advance("", gen).subList(0, 3), "frozen, no digest yet");
        return gen;
    }

    /** Opens the event's sale with a waiting room as Sales does, a fresh seed each time; its generation. */
    private long openQueued(long opensAt) {
        seed = new byte[QueueDraw.SEED_BYTES];
        RANDOM.nextBytes(seed);
        List<String> keys = new ArrayList<>(EventKeys.of(event).all());
        keys.addAll(queue.all());
        return (Long) ((List<?>) redis.eval(
                        OPEN,
                        keys,
                        List.of(
                                "10",
                                Long.toString(HOUR_MS),
                                "1",
                                Long.toString(opensAt),
                                "1000",
                                Long.toString(HOUR_MS),
                                "1.0",
                                QueueDraw.hex(seed),
                                QueueDraw.commitment(seed))))
                .get(1);
    }

    /** Joins buyers {@code prefix-from} .. {@code prefix-(to - 1)}, many to a call as an instance does. */
    private void join(String prefix, int from, int to) {
        for (int start = from; start < to; start += JOIN_CALL) {
            List<String> args = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + JOIN_CALL); i++) {
                args.add(prefix + "-" + i);
                args.add(TOKENS.placeHash(event, prefix + "-" + i));
            }
            List<?> reply = (List<?>) redis.eval(
                    JOIN, List.of(EventKeys.of(event).stock(), queue.queue(), queue.places(), queue.joins()), args);
            assertEquals(1L, reply.get(0), reply.toString());
        }
    }

    private List<?> advance(String digest, long gen) {
        return (List<?>) redis.eval(
                ADVANCE,
                List.of(EventKeys.of(event).stock(), queue.queue(), queue.admits(), queue.admitInfo()),
                List.of(digest, Long.toString(gen)));
    }

    private List<?> admission(long gen, long place, long position) {
        return (List<?>) redis.eval(
                ADMISSION,
                List.of(EventKeys.of(event).stock(), queue.queue(), queue.admits(), queue.admitInfo(), queue.used()),
                List.of(Long.toString(gen), Long.toString(place), Long.toString(position)));
    }

    private static long redisNowMs() {
        List<String> time = jedis.time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }
}
