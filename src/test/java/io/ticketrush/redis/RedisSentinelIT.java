package io.ticketrush.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.RedisSentinelServers;
import io.ticketrush.testsupport.RedisServer;
import io.ticketrush.testsupport.TwoInstances;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * ticketrush on Redis Sentinel (one master, one replica, three sentinels), by configuration only: the master is
 * killed mid-sale, Sentinel promotes the replica, and the instances follow it and keep selling.
 *
 * <p>What is guaranteed across the failover, and checked here: with {@code redis.wait-replicas=1} a buyer is
 * told code 1 only once the replica has the reservation, so no code-1 answer is lost when the master dies.
 * Writes the dead master had not passed on are lost, but their buyers were answered 503 (or nothing), and
 * their retries sell again what was lost. Nothing is sold twice: every ticket is one order of one buyer.
 */
class RedisSentinelIT {

    private static final Duration BUYER_PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static final TwoInstances<RedisSentinelServers> ON_SENTINEL = TwoInstances.on(
            "sentinel",
            RedisSentinelServers::start,
            redis -> Map.of(
                    "redis.mode",
                    "sentinel",
                    "redis.sentinels",
                    redis.sentinels(),
                    "redis.master-name",
                    RedisSentinelServers.MASTER_NAME,
                    "redis.wait-replicas",
                    "1",
                    "redis.wait-timeout-ms",
                    "500"));

    private final List<Api> apis = ON_SENTINEL.apis();
    private final RedisSentinelServers redis = ON_SENTINEL.redis();

    @Test
    void followsAFailoverMidSaleAndLosesNoConfirmedReservation() throws Exception {
        String event = Deployments.newEventId("sentinel");
        int tickets = 300;
        int buyers = 900;
        assertEquals(200, apis.get(0).openSale(event, tickets, 600).status());
        RedisServer oldMaster = redis.master();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        List<Supplier<Buyer>> calls = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            Api api = apis.get(i % apis.size());
            String user = "buyer-" + i;
            calls.add(() -> Buyer.buy(api, event, user, killed, refused));
        }

        CompletableFuture<List<Buyer>> sale = CompletableFuture.supplyAsync(() -> Crowd.run(calls, 16));
        try (Jedis master = oldMaster.client()) {
            await().atMost(Duration.ofSeconds(30))
                    .ignoreExceptions()
                    .untilAsserted(() -> assertTrue(
                            Long.parseLong(master.hget("tr:{" + event + "}:stock", "reserved")) >= tickets / 3));
        }
        oldMaster.kill();
        killed.set(true);
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        redis.replica().port(), redis.currentMasterPort(), "Sentinel promoted the replica"));
        // As a service manager would: the old master comes back, and Sentinel makes it the new master's replica.
        oldMaster.restart();
        List<Buyer> answers = sale.get();

        Set<String> confirmedBeforeKill = answers.stream()
                .filter(b -> b.firstCode1BeforeKill)
                .map(b -> b.orderId)
                .collect(Collectors.toSet());
        assertTrue(
                confirmedBeforeKill.size() >= tickets / 3 - 20,
                "the kill came mid-sale: " + confirmedBeforeKill.size());
        assertTrue(
                answers.stream().anyMatch(b -> b.code1AfterKill),
                "the instances followed the failover and kept selling");
        assertTrue(refused.get() > 0, "the failover was visible as 503s, not as wrong answers");

        try (Jedis master = new Jedis("127.0.0.1", redis.currentMasterPort())) {
            Map<String, String> holders = master.hgetAll("tr:{" + event + "}:buyers");
            assertEquals(tickets, holders.size(), "every ticket sold, each to one buyer");
            assertEquals(tickets, new HashSet<>(holders.values()).size(), "no order twice");
            assertEquals(Integer.toString(tickets), master.hget("tr:{" + event + "}:stock", "reserved"));
            for (Buyer buyer : answers) {
                if (buyer.orderId != null) {
                    assertEquals(
                            buyer.orderId, holders.get(buyer.user), buyer.user + " was told this order; it survived");
                }
            }
            // A 503 is not a "no" (the write may stand), but the retry says so and gets the order: no buyer holds
            // an order without having been told it.
            for (String holder : holders.keySet()) {
                Buyer buyer = answers.stream()
                        .filter(b -> b.user.equals(holder))
                        .findFirst()
                        .orElseThrow();
                assertEquals(holders.get(holder), buyer.orderId, holder + " holds an order; the final answer names it");
            }
        }
        for (String orderId : confirmedBeforeKill) {
            assertEquals(200, apis.get(1).get("orders/" + orderId).status(), orderId + " confirmed before the kill");
        }
        var status = apis.get(0).eventStatus(event).data();
        assertEquals(tickets, status.getInt("reserved"));
        assertEquals(0, status.getInt("available"));
    }

    /** One buyer who retries while the answer is 503, as a browser's retry button would, with retry=true. */
    private static final class Buyer {
        final String user;
        String orderId;
        boolean refused;
        boolean firstCode1BeforeKill;
        boolean code1AfterKill;

        private Buyer(String user) {
            this.user = user;
        }

        static Buyer buy(Api api, String event, String user, AtomicBoolean killed, AtomicInteger refused) {
            Buyer buyer = new Buyer(user);
            Instant deadline = Instant.now().plus(BUYER_PATIENCE);
            while (true) {
                boolean killedBefore = killed.get();
                Api.Answer answer;
                try {
                    answer = buyer.refused ? api.buyAgain(event, user) : api.buy(event, user);
                } catch (RuntimeException e) {
                    answer = null;
                }
                if (answer != null && (answer.code() == 1 || answer.code() == -2 || answer.code() == -1)) {
                    if (answer.code() != -1) {
                        buyer.orderId = answer.data().getString("orderId");
                    }
                    buyer.firstCode1BeforeKill = answer.code() == 1 && !killed.get();
                    buyer.code1AfterKill = answer.code() == 1 && killedBefore;
                    return buyer;
                }
                if (answer != null && answer.status() != 503) {
                    throw new AssertionError(user + ": unexpected answer " + answer.status() + " " + answer.body());
                }
                buyer.refused = true;
                refused.incrementAndGet();
                if (Instant.now().isAfter(deadline)) {
                    throw new AssertionError(user + " still refused after " + BUYER_PATIENCE);
                }
                Pause.of(Duration.ofMillis(100));
            }
        }
    }
}
