package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/** Orders made durable in PostgreSQL from the Redis Stream hand-off: exactly, whatever dies meanwhile. */
@ExtendWith(SharedCluster.class)
class OrderHandoffIT {

    /** "Within a few seconds" of the last change, the database holds what Redis holds. */
    private static final Duration CATCH_UP = Duration.ofSeconds(15);

    private Cluster cluster;

    @AfterEach
    void everythingRunsAgain() {
        if (cluster != null) {
            cluster.up();
        }
    }

    @Test
    void writesExactlyTheOrdersRedisHoldsWithTheirStatusesRowByRow(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("archive");
        api.openSale(event, 500, 5);
        // Every third buyer who gets a ticket pays at once; the others let their hold run out.
        List<Supplier<Api.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            String user = "buyer-" + i;
            boolean pays = i % 3 == 0;
            calls.add(() -> {
                Api.Answer answer = api.buy(event, user);
                if (pays && answer.code() == 1) {
                    assertEquals(
                            200, api.pay(answer.data().getString("orderId")).status());
                }
                return answer;
            });
        }
        Crowd.run(calls, 100);

        // The unpaid holds expire after 5 s; the database must follow to the last status.
        await().atMost(Duration.ofSeconds(5).plus(CATCH_UP)).ignoreExceptions().untilAsserted(() -> {
            assertEquals(0, api.eventStatus(event).data().getInt("reserved"), "every unpaid hold expired");
            assertDatabaseMatchesRedis(cluster, event);
        });
        JsonObject status = api.eventStatus(event).data();
        assertEquals(0, status.getInt("handoffLag"));
        assertEquals(status.getInt("paid"), status.getJsonObject("database").getInt("paid"));
        assertEquals(0, status.getJsonObject("database").getInt("reserved"));
        assertTrue(status.getJsonObject("database").getInt("expired") > 0, "some holds ran out and were resold");
    }

    @Test
    void keepsSellingWhilePostgresIsDownAndCatchesUpExactlyAfter(Cluster cluster) throws Exception {
        this.cluster = cluster;
        Api api = cluster.nginx();
        String event = Deployments.newEventId("pgdown");
        api.openSale(event, 400, 600);
        rush(api, event, "early", 100, 20);
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));

        cluster.stopPostgres();
        List<Api.Answer> during = rush(api, event, "during", 1_000, 50);
        assertEquals(
                300, during.stream().filter(a -> a.code() == 1).count(), "Redis kept selling: the rest of the 400");
        JsonObject status = api.eventStatus(event).data();
        assertTrue(status.isNull("database"), "the admin status says the database cannot answer");
        assertTrue(
                status.getInt("handoffLag") >= 300, "the hand-off waits in Redis: lag " + status.getInt("handoffLag"));

        cluster.up();
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> {
            assertDatabaseMatchesRedis(cluster, event);
            assertEquals(0, api.eventStatus(event).data().getInt("handoffLag"));
        });
    }

    @Test
    void losesAndDuplicatesNothingWhenAConsumerIsKilledHoldingEntries(Cluster cluster) throws Exception {
        this.cluster = cluster;
        Api api = cluster.nginx();
        String event = Deployments.newEventId("claim");
        api.openSale(event, 600, 600);
        // With the database down every consumer reads entries it cannot acknowledge: they stay pending on it.
        // Which consumers take them depends on when each one polls, so the one holding the most is killed.
        cluster.stopPostgres();
        rush(api, event, "buyer", 1_500, 60);
        int holder;
        try (Jedis redis = cluster.redis()) {
            Map<String, Long> pending = new HashMap<>();
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
                pending.clear();
                pending.putAll(
                        redis.xpending(EventKeys.of(event).stream(), "orders").getConsumerMessageCount());
                assertTrue(pending.values().stream().anyMatch(n -> n > 0), "a consumer holds unacknowledged entries");
            });
            String consumer = pending.entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .orElseThrow()
                    .getKey();
            holder = Integer.parseInt(consumer.substring("instance-".length()));
        }

        cluster.kill(holder);
        cluster.up();

        // The survivors claim the killed consumer's entries once they have been idle long enough, and write them
        // once.
        await().atMost(CATCH_UP.plusSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            assertDatabaseMatchesRedis(cluster, event);
            assertEquals(0, api.eventStatus(event).data().getInt("handoffLag"));
        });
    }

    @Test
    void answersAnOrderFromTheDatabaseOnceItsRedisKeysAreGone(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("readthrough");
        api.openSale(event, 5, 600);
        JsonObject order = api.buy(event, "remembered").data();
        String orderId = order.getString("orderId");
        api.pay(orderId);
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));

        try (Jedis redis = cluster.redis()) {
            redis.del(EventKeys.of(event).orders());
        }

        Api.Answer answer = api.get("orders/" + orderId);
        assertEquals(200, answer.status(), answer.body());
        assertEquals("PAID", answer.data().getString("status"));
        assertEquals("remembered", answer.data().getString("userId"));
        assertEquals(404, api.get("orders/" + event + "-999999-zzzzzz").status());
    }

    @Test
    void doesNotAnswerFromTheDatabaseAnOrderOfASaleResetSince(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("stale");
        api.openSale(event, 5, 600);
        String orderId = api.buy(event, "forgotten").data().getString("orderId");
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));

        // A reset as PostgreSQL sees it in the moment before the reset's stream record reaches it: Redis has
        // the sale's next generation and none of its orders, the database still the old rows.
        EventKeys keys = EventKeys.of(event);
        try (Jedis redis = cluster.redis()) {
            redis.hincrBy(keys.stock(), "gen", 1);
            redis.del(keys.orders());
        }

        assertEquals(404, api.get("orders/" + orderId).status(), "an order of the old sale is gone");
        try (Connection db = cluster.database();
                ResultSet rows = db.createStatement()
                        .executeQuery("SELECT count(*) FROM ticket_order WHERE order_id = '" + orderId + "'")) {
            rows.next();
            assertEquals(1, rows.getLong(1), "though its row is still in the database");
        }
    }

    @Test
    void aSaleRedisLostAndAnAdminOpenedAgainReachesTheDatabaseAsANewSale(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("lost");
        api.openSale(event, 20, 600);
        List<Api.Answer> before = rush(api, event, "before", 30, 10);
        assertEquals(20, before.stream().filter(a -> a.code() == 1).count());
        assertEquals(10, before.stream().filter(a -> a.code() == -1).count());
        before.stream()
                .filter(a -> a.code() == 1)
                .limit(5)
                .forEach(a ->
                        assertEquals(200, api.pay(a.data().getString("orderId")).status()));
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));

        // A sold-out answer nginx now shares for the rest of this second and the next, then Redis loses the sale
        // whole, its generation, stream and record of that shared answer included: a flush, or a failover onto a
        // server that never had it. The admin opens it again, which starts it over.
        Api.Answer soldOut = api.buy(event, "before-the-loss");
        assertEquals(-1, soldOut.code(), soldOut.body());
        try (Jedis redis = cluster.redis()) {
            redis.del(EventKeys.of(event).all().toArray(String[]::new));
        }
        // Sent again only while answered 503 (ask again), as the API asks of a client; anything else fails at once.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Api.Answer opened = api.openSale(event, 10, 600);
            assertTrue(Set.of(200, 503).contains(opened.status()), opened.body());
            return opened.status() == 200;
        });
        // The opening answered once nginx's old answer ran out (Redis's record of it is gone: the longest one), and
        // the instances, refreshing every 200 ms, follow the new sale by then: the first buyer after it gets a ticket.
        Api.Answer first = api.buy(event, "after-first");
        assertEquals(1, first.code(), "not the lost sale's shared 'sold out': " + first.body());
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (int i = 1; i <= Cluster.INSTANCES; i++) {
                assertTrue(cluster.instance(i).localPermits(event) > 0, "instance-" + i + " has a share");
            }
        });
        List<Api.Answer> after = new ArrayList<>(List.of(first));
        after.addAll(sellOut(api, event, "after"));
        assertEquals(10, after.stream().filter(a -> a.code() == 1).count(), "ten tickets, ten buyers");
        assertEquals(
                after.size() - 10, after.stream().filter(a -> a.code() == -1).count(), "the rest told sold out");
        assertEquals(
                10,
                after.stream()
                        .filter(a -> a.code() == 1)
                        .map(a -> a.data().getString("userId"))
                        .distinct()
                        .count());

        // The database follows the new sale exactly: its ten orders, none of the lost sale's twenty beside them
        // (a reset discards a sale's orders), and none of the new ones dropped as belonging to an older sale.
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));
        JsonObject database = api.eventStatus(event).data().getJsonObject("database");
        assertEquals(10, database.getInt("reserved"));
        assertEquals(0, database.getInt("paid"));
    }

    @Test
    void restoresASaleRedisLostFromTheDatabaseSoItsBuyersKeepTheirOrders(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("restore");
        EventKeys keys = EventKeys.of(event);
        api.openSale(event, 25, 600);
        Map<String, String> ordersOf = new HashMap<>();
        for (Api.Answer answer : rush(api, event, "before", 20, 10)) {
            assertEquals(1, answer.code(), answer.body());
            ordersOf.put(answer.data().getString("userId"), answer.data().getString("orderId"));
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(200, api.pay(ordersOf.get("before-" + i)).status());
        }
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));
        assertEquals(
                409,
                api.admin("POST", event + "/restore", null, Api.ADMIN_TOKEN).status(),
                "a sale Redis has is not restored over");

        Map<String, String> held;
        try (Jedis redis = cluster.redis()) {
            held = redis.hgetAll(keys.orders());
            redis.del(keys.all().toArray(String[]::new));
        }
        assertEquals(401, api.admin("POST", event + "/restore", null, null).status());
        assertEquals(
                405, api.admin("GET", event + "/restore", null, Api.ADMIN_TOKEN).status());
        assertEquals(
                404,
                api.admin("POST", Deployments.newEventId("never") + "/restore", null, Api.ADMIN_TOKEN)
                        .status());

        Api.Answer restored = api.admin("POST", event + "/restore", null, Api.ADMIN_TOKEN);
        assertEquals(200, restored.status(), restored.body());
        assertEquals(20, restored.data().getInt("restoredOrders"));
        assertEquals(
                List.of(25, 15, 5, 5),
                List.of(
                        restored.data().getInt("tickets"),
                        restored.data().getInt("reserved"),
                        restored.data().getInt("paid"),
                        restored.data().getInt("available")));
        try (Jedis redis = cluster.redis()) {
            assertEquals(held, redis.hgetAll(keys.orders()), "every order Redis held is back as it was");
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (int i = 1; i <= Cluster.INSTANCES; i++) {
                assertTrue(cluster.instance(i).localPermits(event) > 0, "instance-" + i + " has a share");
            }
        });

        // Its buyers keep their orders: a retry gets the same one back, and an unpaid one can still be paid. They
        // all come back at once, as retries (while the sale was lost, buying answered 503): twenty at once can
        // use up a small share for a moment, and a retry that meets it still gets its order.
        List<Supplier<Api.Answer>> retries = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String buyer = "before-" + i;
            retries.add(() -> {
                Api.Answer again = api.buyAgain(event, buyer);
                assertEquals(-2, again.code(), buyer + ": " + again.body());
                assertEquals(ordersOf.get(buyer), again.data().getString("orderId"));
                return again;
            });
        }
        assertEquals(20, Crowd.run(retries, 20).size());
        Api.Answer payment = api.pay(ordersOf.get("before-10"));
        assertEquals(200, payment.status(), payment.body());
        assertEquals("PAID", payment.data().getString("status"));
        // The five tickets left sell to five new buyers, under new order ids.
        List<Api.Answer> after = sellOut(api, event, "after");
        assertEquals(5, after.stream().filter(a -> a.code() == 1).count());
        assertEquals(
                after.size() - 5, after.stream().filter(a -> a.code() == -1).count());
        after.stream()
                .filter(a -> a.code() == 1)
                .forEach(a -> assertTrue(!held.containsKey(a.data().getString("orderId")), a.body()));
        JsonObject status = api.eventStatus(event).data();
        assertEquals(
                List.of(19, 6, 0),
                List.of(status.getInt("reserved"), status.getInt("paid"), status.getInt("available")));
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));
        try (Jedis redis = cluster.redis()) {
            assertEquals(25, redis.hlen(keys.orders()));
        }
    }

    @Test
    void restoresAQueuedSaleWithItsWaitingRoomSoItStillSellsOnlyToAdmittedBuyers(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("restore-queued");
        long opensAt = System.currentTimeMillis() - 1_000;
        Api.Answer opened = api.admin(
                "PUT",
                event,
                "{\"tickets\":5,\"holdSeconds\":600,\"queue\":{\"opensAt\":" + opensAt
                        + ",\"admitPerSecond\":50,\"admitWindowSeconds\":600,\"overbook\":1.5}}",
                Api.ADMIN_TOKEN);
        assertEquals(200, opened.status(), opened.body());
        Map<String, String> ordersOf = new HashMap<>();
        for (String buyer : List.of("ann", "ben")) {
            Api.Answer bought = api.buyAdmitted(event, buyer, admitted(api, event, buyer));
            assertEquals(1, bought.code(), bought.body());
            ordersOf.put(buyer, bought.data().getString("orderId"));
        }
        String cleosOldAdmission = admitted(api, event, "cleo");
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));
        try (Connection db = cluster.database();
                PreparedStatement query = db.prepareStatement("SELECT queue_opens_at, queue_admit_per_second,"
                        + " queue_window_ms, queue_overbook FROM ticket_sale WHERE event_id = ?")) {
            query.setString(1, event);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next());
                assertEquals(List.of(opensAt, 50L, 600_000L), List.of(row.getLong(1), row.getLong(2), row.getLong(3)));
                assertEquals(1.5, row.getDouble(4), "the database keeps the waiting room's settings");
            }
        }

        // Redis loses the sale whole, its waiting room included.
        try (Jedis redis = cluster.redis()) {
            redis.del(EventKeys.of(event).all().toArray(String[]::new));
            redis.del(QueueKeys.of(event).all().toArray(String[]::new));
        }
        Api.Answer restored = api.admin("POST", event + "/restore", null, Api.ADMIN_TOKEN);

        assertEquals(200, restored.status(), restored.body());
        assertEquals(2, restored.data().getInt("restoredOrders"));
        JsonObject queue = restored.data().getJsonObject("queue");
        assertEquals(
                List.of(opensAt, 50L, 600L),
                List.of(
                        queue.getJsonNumber("opensAt").longValue(),
                        queue.getJsonNumber("admitPerSecond").longValue(),
                        queue.getJsonNumber("admitWindowSeconds").longValue()));
        assertEquals(1.5, queue.getJsonNumber("overbook").doubleValue());
        assertEquals(0, queue.getInt("joined"), "its places were never in the database: the waiting room starts over");
        // On every instance, whatever it knew of the lost sale: no admission, no ticket.
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            Api.Answer refused = cluster.instance(i).buy(event, "dora");
            assertEquals(403, refused.status(), "instance-" + i + ": " + refused.body());
            assertTrue(refused.json().getString("msg").startsWith("an admission is required"), refused.body());
        }
        Api.Answer stale = api.buyAdmitted(event, "cleo", cleosOldAdmission);
        assertEquals(403, stale.status(), "an admission of the lost waiting room: " + stale.body());
        assertEquals(
                "the admission is of an earlier sale: the sale was reset since",
                stale.json().getString("msg"));
        for (String buyer : List.of("ann", "ben")) {
            Api.Answer again = api.buyAgain(event, buyer);
            assertEquals(-2, again.code(), "the buyers keep their orders: " + again.body());
            assertEquals(ordersOf.get(buyer), again.data().getString("orderId"));
        }
        // Cleo joins the new waiting room, is admitted and buys.
        Api.Answer bought = api.buyAdmitted(event, "cleo", admitted(api, event, "cleo"));
        assertEquals(1, bought.code(), bought.body());
        JsonObject ledger = api.eventStatus(event).data().getJsonObject("queue");
        assertEquals(List.of(1, 1), List.of(ledger.getInt("joined"), ledger.getInt("bought")), ledger.toString());
        await().atMost(CATCH_UP).ignoreExceptions().untilAsserted(() -> assertDatabaseMatchesRedis(cluster, event));
    }

    @Test
    void refusesToDeleteASaleWhileItsOrdersAreNotAllInTheDatabase(Cluster cluster) throws Exception {
        this.cluster = cluster;
        Api api = cluster.nginx();
        String event = Deployments.newEventId("delete-lag");
        api.openSale(event, 10, 600);
        await().atMost(CATCH_UP)
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(0, api.eventStatus(event).data().getInt("handoffLag")));
        cluster.stopPostgres();
        rush(api, event, "buyer", 3, 3);

        Api.Answer refused = api.deleteSale(event);

        assertEquals(409, refused.status(), refused.body());
        assertTrue(refused.json().getString("msg").contains("hand-off entries not yet in PostgreSQL"), refused.body());
        assertEquals(3, api.eventStatus(event).data().getInt("reserved"), "nothing was deleted");
        cluster.up();
        await().atMost(CATCH_UP)
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(0, api.eventStatus(event).data().getInt("handoffLag")));
        Api.Answer deleted = api.deleteSale(event);
        assertEquals(200, deleted.status(), deleted.body());
        try (Connection db = cluster.database();
                ResultSet rows = db.createStatement()
                        .executeQuery("SELECT count(*) FROM ticket_order WHERE event_id = '" + event + "'")) {
            rows.next();
            assertEquals(3, rows.getLong(1), "its orders are in the database");
        }
    }

    /** The admission of {@code buyer}, who joins the sale's waiting room and waits to be admitted. */
    private static String admitted(Api api, String event, String buyer) {
        String place = api.join(event, buyer).data().getString("place");
        String[] admission = new String[1];
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Api.Answer answer = api.admission(event, place);
            // Asked again only while told "not yet"; any other answer fails at once.
            assertTrue(answer.code() == 1 || answer.code() == -3, answer.body());
            admission[0] = answer.code() == 1 ? answer.data().getString("admission") : null;
            return admission[0] != null;
        });
        return admission[0];
    }

    /**
     * Crowds of 30 new buyers until Redis has no ticket left (at most five): a small share a crowd used up
     * re-opens within a refresh, so one crowd may end with tickets still in Redis.
     */
    private static List<Api.Answer> sellOut(Api api, String event, String prefix) {
        List<Api.Answer> answers = new ArrayList<>();
        for (int round = 0; round < 5 && api.eventStatus(event).data().getInt("available") > 0; round++) {
            answers.addAll(rush(api, event, prefix + "-" + round, 30, 10));
        }
        return answers;
    }

    private static List<Api.Answer> rush(Api api, String event, String prefix, int buyers, int concurrency) {
        List<Supplier<Api.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String user = prefix + "-" + i;
            calls.add(() -> api.buy(event, user));
        }
        List<Api.Answer> answers = Crowd.run(calls, concurrency);
        answers.forEach(a -> assertEquals(200, a.status(), a.body()));
        return answers;
    }

    /** Row by row: the same order ids, buyers, deadlines and statuses in PostgreSQL as in Redis. */
    private static void assertDatabaseMatchesRedis(Cluster cluster, String event) {
        Map<String, String> expected = new HashMap<>();
        try (Jedis redis = cluster.redis()) {
            // Redis keeps "status|expiresAt|userId"; the database spells the status out.
            redis.hgetAll(EventKeys.of(event).orders()).forEach((orderId, record) -> {
                String[] parts = record.split("\\|", 3);
                String status = switch (parts[0]) {
                    case "R" -> "RESERVED";
                    case "P" -> "PAID";
                    default -> "EXPIRED";
                };
                expected.put(orderId, status + "|" + parts[1] + "|" + parts[2]);
            });
        }
        Map<String, String> actual = new HashMap<>();
        int rowCount = 0;
        try (Connection db = cluster.database();
                PreparedStatement query = db.prepareStatement(
                        "SELECT order_id, status, expires_at, user_id FROM ticket_order WHERE event_id = ?")) {
            query.setString(1, event);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    rowCount++;
                    actual.put(rows.getString(1), rows.getString(2) + "|" + rows.getLong(3) + "|" + rows.getString(4));
                }
            }
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL cannot be read", e);
        }
        assertTrue(!expected.isEmpty(), "the sale sold something");
        // Counted as rows, not as the map's keys, where an order written twice would be one entry.
        assertEquals(expected.size(), rowCount, "one row per order Redis holds, none twice");
        assertEquals(expected, actual);
    }
}
