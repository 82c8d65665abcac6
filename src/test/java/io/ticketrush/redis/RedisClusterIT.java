package io.ticketrush.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.fairness.FairnessVerifier;
import io.ticketrush.queue.QueueDraw;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.QueueBuyers;
import io.ticketrush.testsupport.QueueLedgerWatch;
import io.ticketrush.testsupport.RedisClusterServers;
import io.ticketrush.testsupport.RedisServer;
import io.ticketrush.testsupport.TwoInstances;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * ticketrush on a real three-master Redis Cluster, by configuration only ({@code redis.mode=cluster}): two
 * Payara Micro instances running the built WAR sell several events whose keys live on different masters, and a
 * sale with a waiting room from its pre-queue to sold out.
 */
class RedisClusterIT {

    /** How long before opensAt a queued sale is opened: ample time for its crowd to join. */
    private static final long PRE_QUEUE_MILLIS = 15_000;

    /** Small, so that the pre-queue's digest takes many pages (and the two instances contend for its lease). */
    private static final int DIGEST_PAGE = 16;

    @RegisterExtension
    static final TwoInstances<RedisClusterServers> ON_CLUSTER = TwoInstances.on(
            "cluster",
            dir -> RedisClusterServers.start(dir, 3),
            redis -> Map.of(
                    "redis.mode",
                    "cluster",
                    "redis.nodes",
                    redis.nodes(),
                    "queue.secret",
                    "the cluster tests' queue secret",
                    "queue.digest-page",
                    Integer.toString(DIGEST_PAGE)));

    private final List<Api> apis = ON_CLUSTER.apis();

    @Test
    void sellsExactlyTheTicketsOfEventsSpreadOverEveryMaster() {
        Map<String, RedisServer> events = eventsOnEveryMaster(2);
        int tickets = 40;
        int buyersPerEvent = 100;
        events.keySet()
                .forEach(event -> assertEquals(
                        200, apis.get(0).openSale(event, tickets, 600).status()));
        // Crowds of new buyers until Redis has nothing left. One crowd is almost always enough; but an instance
        // that meets its first buyer of an event late (a stall on a busy machine) takes a share of what is left
        // then and answers -1 until its next refresh re-opens it, and the crowd may be over by that time.
        List<Purchase> purchases = new ArrayList<>();
        for (int round = 0; round < 5 && events.keySet().stream().anyMatch(this::onSale); round++) {
            List<Supplier<Purchase>> calls = new ArrayList<>();
            for (String event : events.keySet()) {
                for (int i = 0; i < buyersPerEvent; i++) {
                    Api api = apis.get(i % apis.size());
                    String user = "buyer-" + round + "-" + i;
                    calls.add(() -> new Purchase(event, user, api.buy(event, user)));
                }
            }
            purchases.addAll(Crowd.run(calls, 32));
        }

        for (String event : events.keySet()) {
            List<Purchase> ofEvent =
                    purchases.stream().filter(p -> p.event.equals(event)).toList();
            Map<Integer, Long> codes =
                    ofEvent.stream().collect(Collectors.groupingBy(p -> p.answer.code(), Collectors.counting()));
            assertEquals(Map.of(1, (long) tickets, -1, (long) (ofEvent.size() - tickets)), codes, event);
            Set<String> orders = ofEvent.stream()
                    .filter(p -> p.answer.code() == 1)
                    .map(p -> p.answer.data().getString("orderId"))
                    .collect(Collectors.toSet());
            assertEquals(tickets, orders.size(), "one order per code-1 answer");
            var status = apis.get(1).eventStatus(event).data();
            assertEquals(tickets, status.getInt("reserved"), event);
            assertEquals(0, status.getInt("available"), event);
            try (Jedis master = events.get(event).client()) {
                assertEquals(
                        tickets,
                        master.hlen("tr:{" + event + "}:buyers"),
                        "the event's keys live on its slot's master");
            }
        }
        assertEquals(3, new HashSet<>(events.values()).size(), "the events use all three masters");

        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            for (String each : events.keySet()) {
                var status = apis.get(0).eventStatus(each).data();
                assertEquals(0, status.getInt("handoffLag"), each);
                assertEquals(tickets, status.getJsonObject("database").getInt("reserved"), each);
            }
        });
    }

    @Test
    void expiresUnpaidHoldsAndSellsThoseTicketsAgain() {
        String event = Deployments.newEventId("cluster-expiry");
        apis.get(0).openSale(event, 10, 1);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Api.Answer answer = apis.get(i % 2).buy(event, "first-" + i);
            assertEquals(1, answer.code(), answer.body());
            orders.add(answer.data().getString("orderId"));
            if (i == 0) {
                Api.Answer again = apis.get(1).buy(event, "FIRST-0");
                assertEquals(-2, again.code(), "one buyer, whatever the case, whichever instance");
                assertEquals(orders.get(0), again.data().getString("orderId"));
            }
        }
        assertEquals(-1, apis.get(0).buy(event, "too-early").code());
        for (String paid : orders.subList(0, 4)) {
            assertEquals("PAID", apis.get(1).pay(paid).data().getString("status"));
        }

        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            var status = apis.get(0).eventStatus(event).data();
            assertEquals(0, status.getInt("reserved"));
            assertEquals(4, status.getInt("paid"));
        });
        assertEquals(
                "EXPIRED", apis.get(0).get("orders/" + orders.get(9)).data().getString("status"));
        assertEquals(409, apis.get(1).pay(orders.get(9)).status(), "an expired hold cannot be paid");

        // New buyers until Redis has nothing left: an instance may answer -1 for a moment longer, until its
        // refresher sees the returned tickets; Redis decides, so no more than six can ever sell.
        List<Api.Answer> again = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(10);
        for (int i = 0; apis.get(0).eventStatus(event).data().getInt("available") > 0; i++) {
            assertTrue(Instant.now().isBefore(deadline), "the expired tickets sell again within seconds");
            again.add(apis.get(i % 2).buy(event, "second-" + i));
        }
        for (int i = 0; i < 10; i++) {
            again.add(apis.get(i % 2).buy(event, "late-" + i));
        }
        assertEquals(
                6,
                again.stream().filter(answer -> answer.code() == 1).count(),
                "exactly the six expired tickets sell again");
        assertTrue(again.stream().allMatch(answer -> answer.code() == 1 || answer.code() == -1));
        var status = apis.get(1).eventStatus(event).data();
        assertEquals(6, status.getInt("reserved"));
        assertEquals(4, status.getInt("paid"));
        assertEquals(0, status.getInt("available"));
    }

    @Test
    void sellsAQueuedSaleFromItsShuffledPreQueueToAdmittedBuyersOnly() throws IOException {
        String event = Deployments.newEventId("cluster-queued");
        int tickets = 30;
        int crowd = 15 * DIGEST_PAGE;
        long opensAt = System.currentTimeMillis() + PRE_QUEUE_MILLIS;
        Api.Answer opened = apis.get(0).openQueuedSale(event, tickets, 600, opensAt, 50, 30);
        assertEquals(200, opened.status(), opened.body());
        String commitment = opened.data().getJsonObject("queue").getString("commitment");

        QueueBuyers buyers = new QueueBuyers(apis, event, "fan", crowd);
        buyers.join(0, crowd, 16);
        long late = System.currentTimeMillis() - opensAt;
        assertTrue(late < 0, "every buyer joined before opensAt, not " + late + " ms after");
        Set<Long> places = new HashSet<>();
        for (QueueBuyers.Buyer buyer : buyers.all()) {
            assertEquals("PRE_QUEUE", buyer.joined.getString("state"), buyer.joined.toString());
            places.add(buyer.placeNumber);
        }
        assertEquals(LongStream.rangeClosed(1, crowd).boxed().collect(Collectors.toSet()), places, "one place each");
        JsonObject before = apis.get(1).fairness(event).data();
        assertTrue(before.isNull("frozen") && before.isNull("seed"), "nothing revealed before opensAt: " + before);

        Pause.of(Duration.ofMillis(Math.max(0, opensAt - System.currentTimeMillis())));
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertFalse(apis.get(1).fairness(event).data().isNull("frozen"), "the digest is published"));
        JsonObject fairness = apis.get(1).fairness(event, 1, crowd).data();
        List<String> hashes = fairness.getJsonArray("places").getValuesAs(JsonString.class).stream()
                .map(JsonString::getString)
                .toList();
        assertEquals(crowd, fairness.getJsonObject("frozen").getInt("size"));
        assertEquals(
                QueueDraw.digest(hashes),
                fairness.getJsonObject("frozen").getString("digest"),
                "computed in pages of " + DIGEST_PAGE + ", the digest of the whole pre-queue at once");
        Map<Long, Long> positionOfPlace = verifiedOrder(event, commitment);

        buyers.run(16, Duration.ofMillis(150), 5, Duration.ofSeconds(90));

        assertEquals(0, buyers.outages.get(), "no request met an outage");
        List<QueueBuyers.Buyer> winners =
                buyers.all().stream().filter(b -> b.orderId != null).toList();
        assertEquals(tickets, winners.size(), "exactly the tickets were bought");
        assertEquals(tickets, winners.stream().map(b -> b.orderId).distinct().count(), "one order each");
        for (QueueBuyers.Buyer winner : winners) {
            assertTrue(winner.paid, winner.toString());
            assertEquals(1, winner.admissions.size(), "admitted once: " + winner);
            assertEquals(positionOfPlace.get(winner.placeNumber), winner.position, "the drawn position of " + winner);
        }
        assertEquals(
                LongStream.rangeClosed(1, tickets).boxed().collect(Collectors.toSet()),
                winners.stream().map(b -> b.position).collect(Collectors.toSet()),
                "positions 1.." + tickets + " bought");
        for (QueueBuyers.Buyer buyer : buyers.all()) {
            buyer.positionsTold.forEach(
                    told -> assertEquals(positionOfPlace.get(buyer.placeNumber), told, buyer.toString()));
            if (buyer.orderId == null) {
                assertTrue(
                        buyer.soldOutAt != 0 && buyer.admissions.isEmpty(), "told sold out, never admitted: " + buyer);
            }
        }

        JsonObject status = apis.get(1).eventStatus(event).data();
        assertEquals(tickets, status.getInt("paid"));
        JsonObject queue = status.getJsonObject("queue");
        assertEquals(
                List.of("SOLD_OUT", crowd, tickets, tickets, 0, crowd - tickets),
                List.of(
                        queue.getString("state"),
                        queue.getInt("joined"),
                        queue.getInt("admitted"),
                        queue.getInt("bought"),
                        queue.getInt("lapsed"),
                        queue.getInt("toldSoldOut")));
        QueueLedgerWatch.check(status);
        buyers.assertLedgerIsWhatBuyersWereTold(status);
        try (Jedis master =
                ownerOf(JedisClusterCRC16.getSlot(QueueKeys.of(event).queue())).client()) {
            assertEquals(
                    tickets, master.hlen(QueueKeys.of(event).used()), "the event's keys live on its slot's master");
            buyers.assertEveryOrderIsAnAdmittedBuyers(master);
        }
    }

    /** Runs the verifier against one instance's fairness record; the position of each place it recomputed. */
    private Map<Long, Long> verifiedOrder(String event, String commitment) throws IOException {
        Path order = Files.createDirectories(Path.of("target", "it-fairness")).resolve(event + ".txt");
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        int status = FairnessVerifier.run(
                new String[] {
                    apis.get(0).base().toString(), event, "--out", order.toString(), "--commitment", commitment
                },
                print,
                print);
        assertEquals(0, status, "the verifier accepts the record: " + output.toString(StandardCharsets.UTF_8));
        Map<Long, Long> positionOfPlace = new HashMap<>();
        for (String line : Files.readAllLines(order, StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ");
            positionOfPlace.put(Long.parseLong(parts[1]), Long.parseLong(parts[0]));
        }
        return positionOfPlace;
    }

    private boolean onSale(String event) {
        return apis.get(0).eventStatus(event).data().getInt("available") > 0;
    }

    /** {@code perMaster} fresh events for each master, each mapped to the master that holds its slot. */
    private static Map<String, RedisServer> eventsOnEveryMaster(int perMaster) {
        Map<RedisServer, List<String>> byMaster = new HashMap<>();
        for (int attempt = 0; byMaster.values().stream().mapToInt(List::size).sum() < perMaster * 3; attempt++) {
            if (attempt > 10_000) {
                throw new IllegalStateException("could not place events on every master");
            }
            String event = Deployments.newEventId("cluster");
            RedisServer owner = ownerOf(JedisClusterCRC16.getSlot("tr:{" + event + "}:stock"));
            List<String> events = byMaster.computeIfAbsent(owner, m -> new ArrayList<>());
            if (events.size() < perMaster) {
                events.add(event);
            }
        }
        Map<String, RedisServer> events = new java.util.LinkedHashMap<>();
        byMaster.forEach((master, ids) -> ids.forEach(id -> events.put(id, master)));
        return events;
    }

    /** The master serving {@code slot}, from the cluster's own slot map. */
    private static RedisServer ownerOf(int slot) {
        for (RedisServer master : ON_CLUSTER.redis().masters()) {
            try (Jedis jedis = master.client()) {
                String self = jedis.clusterNodes()
                        .lines()
                        .filter(line -> line.contains("myself"))
                        .findFirst()
                        .orElseThrow();
                String[] fields = self.split(" ");
                for (int i = 8; i < fields.length; i++) {
                    String[] range = fields[i].split("-");
                    int from = Integer.parseInt(range[0]);
                    int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                    if (slot >= from && slot <= to) {
                        return master;
                    }
                }
            }
        }
        throw new IllegalStateException("no master serves slot " + slot);
    }

    private record Purchase(String event, String user, Api.Answer answer) {}
}
