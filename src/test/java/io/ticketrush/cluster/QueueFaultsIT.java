package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.QueueKeys;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.QueueBuyers;
import io.ticketrush.testsupport.QueueLedgerWatch;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A queued sale while something crashes mid-admission: an instance killed with SIGKILL, Redis killed and restarted
 * from its append-only file. Buyers keep going (repeating what met the outage), late buyers keep joining, and
 * afterwards no place is lost or doubled, nobody is admitted twice, the tickets sell exactly, the ledger balances.
 */
@ExtendWith(SharedCluster.class)
class QueueFaultsIT {

    private static final int TICKETS = 150;
    /** Buyers who join before the opening, and after it, while the fault happens. */
    private static final int EARLY = 800;

    private static final int LATE = 200;
    private static final int ADMIT_PER_SECOND = 50;
    /** The fault strikes when this many tickets are bought: admission is under way, far from over. */
    private static final int FAULT_AT = 40;

    private Cluster cluster;

    @AfterEach
    void everythingRunsAgain() {
        if (cluster != null) {
            cluster.up();
        }
    }

    @Test
    void losesNoPlaceAndAdmitsNobodyTwiceWhenAnInstanceIsKilledDuringAdmission(Cluster cluster) {
        this.cluster = cluster;
        AtomicBoolean killed = new AtomicBoolean();
        sellWhile(cluster, "qkill", bought -> {
            // The heaviest instance (weight 4) dies mid-admission; nginx sends its buyers elsewhere.
            if (bought == FAULT_AT && killed.compareAndSet(false, true)) {
                cluster.kill(4);
            }
        });
        assertTrue(killed.get(), "instance-4 was killed mid-admission");
    }

    @Test
    void losesNoPlaceAndAdmitsNobodyTwiceWhenRedisIsKilledDuringAdmission(Cluster cluster) {
        this.cluster = cluster;
        AtomicReference<CompletableFuture<Void>> restart = new AtomicReference<>();
        QueueBuyers buyers = sellWhile(cluster, "qaof", bought -> {
            if (bought == FAULT_AT && restart.get() == null) {
                cluster.killRedis();
                // Back after a second and a half, from the AOF (fsync always); buyers meanwhile get 503 and retry.
                restart.set(CompletableFuture.runAsync(
                        () -> {
                            Pause.of(Duration.ofMillis(1_500));
                            cluster.up();
                        },
                        task -> new Thread(task, "redis-restart").start()));
            }
        });
        assertNotNull(restart.get(), "Redis was killed mid-admission");
        await(restart.get());
        assertTrue(buyers.outages.get() > 0, "the outage was seen: requests were answered 503 and repeated");
    }

    /**
     * A sale of {@value #TICKETS} tickets to {@value #EARLY} buyers who join before it opens and {@value #LATE}
     * who join during admission, {@code fault} called after each purchase; then every check.
     */
    private static QueueBuyers sellWhile(Cluster cluster, String prefix, IntConsumer fault) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId(prefix);
        long opensAt = System.currentTimeMillis() + 8_000;
        assertEquals(
                200,
                api.openQueuedSale(event, TICKETS, 600, opensAt, ADMIT_PER_SECOND, 60)
                        .status());
        QueueBuyers buyers = new QueueBuyers(api, event, prefix, EARLY + LATE);
        buyers.join(0, EARLY, 60);
        Pause.of(Duration.ofMillis(Math.max(0, opensAt - System.currentTimeMillis() + 300)));

        buyers.onPurchase = fault;
        List<JsonObject> readings;
        try (QueueLedgerWatch watch = new QueueLedgerWatch(api, event, Duration.ofMillis(100))) {
            // Late buyers trickle in through the admission and the fault, one every ~50 ms.
            CompletableFuture<Void> late = CompletableFuture.runAsync(
                    () -> {
                        for (QueueBuyers.Buyer buyer : buyers.all().subList(EARLY, EARLY + LATE)) {
                            buyers.join(buyer);
                            Pause.of(Duration.ofMillis(25));
                        }
                    },
                    task -> new Thread(task, "late-joins").start());
            buyers.run(60, Duration.ofMillis(150), 1, Duration.ofSeconds(120));
            await(late);
            readings = watch.readings();
        }
        System.out.printf(
                "[QueueFaultsIT] %s: %d requests repeated after an outage, %d ledger readings%n",
                event, buyers.outages.get(), readings.size());
        assertTrue(readings.size() >= 10, "the ledger was read throughout: " + readings.size());

        // No place lost or doubled: places 1..joined, one buyer each, and each buyer keeps theirs.
        int joined = EARLY + LATE;
        Set<Long> places = buyers.all().stream().map(b -> b.placeNumber).collect(Collectors.toSet());
        assertEquals(joined, places.size(), "one place per buyer");
        assertEquals(Set.copyOf(range(1, joined)), places, "places 1.." + joined);
        buyers.assertEveryBuyerKeepsTheirPlace(60);
        for (QueueBuyers.Buyer buyer : buyers.all().subList(EARLY, EARLY + LATE)) {
            assertEquals(buyer.placeNumber, buyer.position, "a late joiner waits behind the pre-queue: " + buyer);
        }
        try (Jedis redis = cluster.redis()) {
            QueueKeys keys = QueueKeys.of(event);
            assertEquals(joined, redis.hlen(keys.places()), "Redis holds one place per buyer");
            assertEquals(joined, redis.llen(keys.joins()), "and one place hash per place");
            assertEquals(
                    Set.copyOf(range(1, joined)),
                    redis.hvals(keys.places()).stream().map(Long::parseLong).collect(Collectors.toSet()));
        }

        // Nobody admitted twice; exactly the tickets sold, to the first positions, each admission used once.
        List<QueueBuyers.Buyer> winners =
                buyers.all().stream().filter(b -> b.orderId != null).toList();
        assertEquals(TICKETS, winners.size(), "exactly the tickets were bought");
        assertEquals(TICKETS, winners.stream().map(b -> b.orderId).distinct().count(), "one order each");
        assertEquals(
                Set.copyOf(range(1, TICKETS)),
                winners.stream().map(b -> b.position).collect(Collectors.toSet()),
                "the buyers at positions 1.." + TICKETS + " bought, one position each");
        Set<Long> admittedPositions = new HashSet<>();
        for (QueueBuyers.Buyer buyer : buyers.all()) {
            for (String admission : buyer.admissions) {
                admittedPositions.add(Long.parseLong(Api.tokenFields(admission)[5]));
            }
            assertTrue(buyer.orderId != null || buyer.admissions.isEmpty(), "admitted but did not buy: " + buyer);
        }
        assertEquals(TICKETS, admittedPositions.size(), "every admission names one of the positions that bought");
        for (QueueBuyers.Buyer winner : winners) {
            Api.Answer again = api.admission(event, winner.place);
            assertEquals(403, again.status(), "admitted once only: " + again.body());
            assertTrue(again.json().getString("msg").contains("already used"), again.body());
        }
        buyers.assertEveryOrderIsAnAdmittedBuyers(cluster);

        JsonObject status = api.eventStatus(event).data();
        assertEquals(TICKETS, status.getInt("paid"));
        assertEquals(0, status.getInt("reserved"));
        JsonObject queue = status.getJsonObject("queue");
        assertEquals(
                List.of(joined, TICKETS, TICKETS, 0, 0, 0, joined - TICKETS),
                List.of(
                        queue.getInt("joined"),
                        queue.getInt("admitted"),
                        queue.getInt("bought"),
                        queue.getInt("admittedUnused"),
                        queue.getInt("lapsed"),
                        queue.getInt("waiting"),
                        queue.getInt("toldSoldOut")),
                queue.toString());
        QueueLedgerWatch.check(status);
        buyers.assertLedgerIsWhatBuyersWereTold(status);
        return buyers;
    }

    private static List<Long> range(long first, long last) {
        List<Long> values = new ArrayList<>();
        for (long v = first; v <= last; v++) {
            values.add(v);
        }
        return values;
    }

    private static void await(CompletableFuture<Void> task) {
        try {
            task.join();
        } catch (CompletionException e) {
            throw new AssertionError("A background task of the test failed: " + e.getCause(), e.getCause());
        }
    }
}
