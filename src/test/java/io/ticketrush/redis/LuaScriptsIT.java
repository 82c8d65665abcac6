package io.ticketrush.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.SharedServers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The Lua scripts on a real redis-server: the atomic heart of "never one more, never one stranded". */
class LuaScriptsIT {

    private static final LuaScript RESERVE = LuaScript.load("reserve");
    private static final LuaScript OPEN = LuaScript.load("open");
    private static final LuaScript PAY = LuaScript.load("pay");
    private static final LuaScript SWEEP = LuaScript.load("sweep");
    private static final LuaScript ORDER = LuaScript.load("order");
    private static final LuaScript MEMBERS = LuaScript.load("members");
    private static final LuaScript MEMBERS_REPORT = LuaScript.load("members-report");
    private static final LuaScript RESTORE = LuaScript.load("restore");
    private static final LuaScript HELD = LuaScript.load("held");
    private static final LuaScript DELETE = LuaScript.load("delete");
    private static final String DAY_MS = Long.toString(24L * 60 * 60 * 1000);

    private static RedisClient redis;
    private static Jedis jedis;

    private String event;
    private EventKeys keys;

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
        // Flushing instead would race with the Arquillian tests' sweepers; an event of its own is enough.
        event = "lua-" + UUID.randomUUID();
        keys = EventKeys.of(event);
        jedis.scriptFlush();
    }

    @Test
    void sellsExactlyTheTicketsItHasUnderConcurrency() {
        open(1000, 60_000);
        List<Supplier<Long>> buyers = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            String user = "user" + i;
            buyers.add(() -> code(reserve(user)));
        }
        Map<Long, Integer> counts = new HashMap<>();
        for (long code : Crowd.run(buyers, 16)) {
            counts.merge(code, 1, Integer::sum);
        }
        assertEquals(Map.of(1L, 1000, -1L, 200), counts);
        assertEquals(List.of("1000", "1000", "0"), jedis.hmget(keys.stock(), "tickets", "reserved", "paid"));
        assertEquals(1000, jedis.hlen(keys.orders()));
        assertEquals(1000, jedis.zcard(keys.expiry()));
    }

    @Test
    void sellsTheLastTicketAndNotOneMore() {
        open(1, 60_000);
        assertEquals(1L, code(reserve("first")));
        assertEquals(-1L, code(reserve("second")));
        assertEquals("1", jedis.hget(keys.stock(), "reserved"));
    }

    @Test
    void givesABuyerWhoAlreadyHoldsATicketTheSameOrderBack() {
        open(10, 60_000);
        List<?> first = reserve("alice");
        List<?> again = reserve("alice");
        assertEquals(-2L, code(again));
        assertEquals(first.get(1), again.get(1));
        assertEquals(first.get(2), again.get(2));
        assertEquals("1", jedis.hget(keys.stock(), "reserved"));
    }

    @Test
    void readsTheOrderABuyerHoldsWithoutEverReserving() {
        List<String> heldKeys = List.of(keys.stock(), keys.buyers(), keys.orders());
        assertEquals(List.of(-404L), eval(HELD, heldKeys, "alice"), "no sale");
        open(1, 60_000);
        assertEquals(List.of(-1L), eval(HELD, heldKeys, "alice"), "holds nothing, and a ticket is left");
        List<?> first = reserve("alice");
        List<?> held = eval(HELD, heldKeys, "alice");
        assertEquals(-2L, code(held));
        assertEquals(first.subList(1, 3), held.subList(1, 3), "the order reserve.lua made, as it stands");
        assertEquals(List.of(-1L), eval(HELD, heldKeys, "bob"));
        assertEquals(List.of("1", "0", "1"), jedis.hmget(keys.stock(), "reserved", "paid", "seq"), "only read");
    }

    @Test
    void answersNoSuchEventBeforeTheSaleOpens() {
        assertEquals(List.of(-404L), reserve("alice"));
        assertTrue(jedis.keys("tr:{" + event + "}:*").isEmpty(), "a refused purchase leaves nothing behind");
    }

    @Test
    void sellsNothingWhenOpenedWithZeroTickets() {
        open(0, 60_000);
        assertEquals(-1L, reserve("alice").get(0));
        assertNull(jedis.hget(keys.stock(), "edgeUntil"), "nobody was told it will be shared");
    }

    @Test
    void recordsUntilWhenASharedSoldOutAnswerMayStillBeServedAcrossAReset() {
        open(1, 60_000);
        assertEquals(1L, code(reserve("alice")));

        List<?> shared = eval(RESERVE, keys.all(), event, "bob", "bob", "abc123", "1");

        assertEquals(-1L, shared.get(0));
        long redisNow = (Long) shared.get(1);
        assertEquals(
                (redisNow / 1000 + 2) * 1000,
                Long.parseLong(jedis.hget(keys.stock(), "edgeUntil")),
                "the end of the second after the one Redis said it in: nginx gives it no longer");
        open(5, 60_000);
        assertEquals(
                Long.toString((redisNow / 1000 + 2) * 1000),
                jedis.hget(keys.stock(), "edgeUntil"),
                "a reset keeps it: whoever resets waits for it");
    }

    @Test
    void payingTurnsAReservationIntoAPaidTicketOnce() {
        open(5, 60_000);
        String orderId = (String) reserve("bob").get(1);
        List<?> paid = eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), orderId);
        List<?> again = eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), orderId);
        assertEquals(1L, code(paid));
        assertEquals(1L, code(again));
        assertTrue(((String) again.get(2)).startsWith("P|"));
        assertEquals(List.of("0", "1"), jedis.hmget(keys.stock(), "reserved", "paid"));
        assertEquals(0, jedis.zcard(keys.expiry()), "a paid order never expires");
    }

    @Test
    void refusesToPayAnExpiredHoldAndSweepsItBackOnSale() throws InterruptedException {
        open(2, 50);
        String orderId = (String) reserve("carol").get(1);
        Thread.sleep(120);
        List<?> refused = eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), orderId);
        assertEquals(-409L, code(refused));
        assertEquals(1L, sweep());
        assertEquals(List.of("0", "0"), jedis.hmget(keys.stock(), "reserved", "paid"));
        assertTrue(((String) eval(ORDER, List.of(keys.orders(), keys.stock()), orderId)
                        .get(2))
                .startsWith("E|"));
        assertEquals(1L, code(reserve("dave")), "the returned ticket sells again");
        assertEquals(1L, code(reserve("carol")), "the buyer whose hold expired may buy again");
    }

    @Test
    void concurrentSweepersReturnEachExpiredTicketExactlyOnce() throws InterruptedException {
        open(300, 50);
        for (int i = 0; i < 300; i++) {
            assertEquals(1L, code(reserve("u" + i)));
        }
        Thread.sleep(120);
        List<Supplier<Long>> sweepers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sweepers.add(this::sweep);
        }
        long returned = Crowd.run(sweepers, sweepers.size()).stream()
                .mapToLong(Long::longValue)
                .sum();
        assertEquals(300, returned);
        assertEquals("0", jedis.hget(keys.stock(), "reserved"));
        assertEquals(0, jedis.hlen(keys.buyers()));
        assertEquals(0, jedis.zcard(keys.expiry()));
    }

    @Test
    void resettingASaleDiscardsItsOrdersButNeverReusesAnOrderId() {
        long first = open(3, 60_000);
        String before = (String) reserve("erin").get(1);
        long second = open(3, 60_000);
        assertTrue(second > first, first + " then " + second);
        assertEquals(List.of("3", "0", "0"), jedis.hmget(keys.stock(), "tickets", "reserved", "paid"));
        assertEquals(
                List.of(-404L, second),
                eval(ORDER, List.of(keys.orders(), keys.stock()), before),
                "no such order in Redis, and the sale is in its second generation");
        String after = (String) reserve("erin").get(1);
        assertTrue(!after.equals(before), "order ids of a reset sale are new");
    }

    @Test
    void aSaleOpenedAgainAfterRedisLostItOutranksEveryEarlierGeneration() {
        open(3, 60_000);
        long reset = open(3, 60_000);
        jedis.del(keys.all().toArray(String[]::new));
        long reopened = open(3, 60_000);
        assertTrue(reopened > reset, "after the loss " + reopened + ", before it " + reset);
        assertEquals(Long.toString(reopened), jedis.hget(keys.stock(), "gen"));
    }

    @Test
    void restoreRebuildsALostSaleAndNeverOverwritesOneRedisHas() {
        long gen = open(3, 60_000);
        String erin = (String) reserve("erin").get(1);
        assertEquals(
                List.of(-409L),
                eval(RESTORE, restoreKeys(), "3", "60000", Long.toString(gen), "1", "", "", "", "", "", "", ""));
        assertEquals("1", jedis.hget(keys.stock(), "reserved"), "the sale on is untouched");

        Map<String, String> orders = jedis.hgetAll(keys.orders());
        jedis.del(keys.all().toArray(String[]::new));
        String expiresAt = orders.get(erin).split("\\|")[1];
        assertEquals(
                List.of(1L, 1L, 0L),
                eval(
                        RESTORE,
                        restoreKeys(),
                        "3",
                        "60000",
                        Long.toString(gen),
                        "7",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        erin,
                        "R",
                        expiresAt,
                        "erin",
                        "erin",
                        event + "-7-paid00",
                        "P",
                        expiresAt,
                        "finn",
                        "Finn"));
        assertEquals(
                List.of("3", "1", "1", Long.toString(gen), "7"),
                jedis.hmget(keys.stock(), "tickets", "reserved", "paid", "gen", "seq"));
        assertEquals(orders.get(erin), jedis.hget(keys.orders(), erin));
        assertEquals(erin, jedis.hget(keys.buyers(), "erin"));
        assertEquals(List.of(erin), jedis.zrange(keys.expiry(), 0, -1), "only the reservation can expire");
        assertEquals(-2L, reserve("erin").get(0), "Erin holds her order again");
        assertTrue(((String) reserve("gina").get(1)).startsWith(event + "-8-"), "order ids follow on");
        assertEquals(-1L, reserve("hal").get(0), "three tickets: Erin's, Finn's, Gina's");
    }

    @Test
    void deletesASaleOnlyOnceItsStreamIsInTheDatabaseAndKeepsATombstone() {
        long gen = open(3, 60_000);
        String erin = (String) reserve("erin").get(1);
        assertEquals(List.of(-409L, 2L), delete(), "the opening's record and Erin's order are not handed off yet");
        assertEquals("1", jedis.hget(keys.stock(), "reserved"), "a refused deletion leaves the sale as it was");

        handOffEverything();
        assertEquals(List.of(1L, 3L, 1L, 0L), delete(), "deleted, with the counts it had");

        for (String key : allKeys().subList(1, 11)) {
            assertFalse(jedis.exists(key), key + " survived the deletion");
        }
        assertEquals(List.of("1", Long.toString(gen), "1"), jedis.hmget(keys.stock(), "deleted", "gen", "seq"));
        assertEquals(Set.of("deleted", "deletedAt", "gen", "seq"), jedis.hkeys(keys.stock()), "only the tombstone");
        assertEquals(List.of(-410L), reserve("finn"), "told apart from a sale Redis lost");
        assertEquals(List.of(-410L), eval(HELD, List.of(keys.stock(), keys.buyers(), keys.orders()), "erin"));
        assertEquals(List.of(-404L), delete(), "nothing left to delete");
        assertEquals(
                List.of(-410L),
                eval(
                        RESTORE,
                        restoreKeys(),
                        "3",
                        "60000",
                        Long.toString(gen),
                        "1",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        erin,
                        "R",
                        "1",
                        "erin",
                        "erin"),
                "a deleted sale is not restored");

        long reopened = open(3, 60_000);
        assertTrue(reopened > gen, "opened again, it outranks the deleted sale: " + gen + " then " + reopened);
        assertFalse(jedis.hexists(keys.stock(), "deleted"));
        assertTrue(
                ((String) reserve("erin").get(1)).startsWith(event + "-2-"),
                "order ids carry on after the deleted ones");
    }

    @Test
    void opensAndDeletesASaleOncePerRequestId() {
        List<String> withMarker = new ArrayList<>(allKeys());
        withMarker.add(EventKeys.prefix(event) + "request:req-1");
        List<?> opened = eval(OPEN, withMarker, "3", "60000", "1", "", "", "", "", "", "", "", "put-body", DAY_MS);
        assertEquals(1L, opened.get(0));
        reserve("gus");
        assertEquals(
                List.of(2L, opened.get(1)),
                eval(OPEN, withMarker, "5", "60000", "1", "", "", "", "", "", "", "", "put-body", DAY_MS),
                "the same request again: nothing done, the first one's generation");
        assertEquals(
                List.of("3", "1", opened.get(1).toString()), jedis.hmget(keys.stock(), "tickets", "reserved", "gen"));
        assertEquals(
                List.of(-422L),
                eval(OPEN, withMarker, "5", "60000", "1", "", "", "", "", "", "", "", "other-body", DAY_MS),
                "another request under a used id");

        handOffEverything();
        withMarker.set(11, EventKeys.prefix(event) + "request:req-2");
        assertEquals(List.of(1L, 3L, 1L, 0L), eval(DELETE, withMarker, "orders", "delete", DAY_MS));
        assertEquals(
                List.of(2L, 3L, 1L, 0L),
                eval(DELETE, withMarker, "orders", "delete", DAY_MS),
                "deleting again under the same id answers as the first time");
        withMarker.set(11, EventKeys.prefix(event) + "request:req-1");
        assertEquals(
                List.of(2L, opened.get(1)),
                eval(OPEN, withMarker, "3", "60000", "1", "", "", "", "", "", "", "", "put-body", DAY_MS),
                "a late repeat of the opening does not open the deleted sale again");
        assertTrue(jedis.hexists(keys.stock(), "deleted"));
        assertTrue(jedis.pttl(EventKeys.prefix(event) + "request:req-1") > 0, "request ids are forgotten after a day");
    }

    @Test
    void sweepFindsASaleFinishedOnceEveryTicketIsPaidAndHandedOffOrTheSaleIsGone() {
        open(1, 60_000);
        String orderId = (String) reserve("hana").get(1);
        assertEquals(0L, sweepReply().get(2), "a ticket is held: it may expire");
        eval(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), orderId);
        assertEquals(0L, sweepReply().get(2), "every ticket is paid, but the hand-off has not written them");
        handOffEverything();
        assertEquals(1L, sweepReply().get(2), "over: nothing can change any more but an opening");

        jedis.del(keys.all().toArray(String[]::new));
        assertEquals(List.of(0L, -1L, 2L), sweepReply(), "gone from Redis, nothing left to hand off");
        assertEquals(0, jedis.exists(keys.stock()) ? 1 : 0, "and the sweep made up no stock hash");
    }

    @Test
    void everyKeyOfAnEventLivesInOneClusterSlot() {
        Set<Integer> slots = new HashSet<>();
        for (String key : keys.all()) {
            slots.add(JedisClusterCRC16.getSlot(key));
        }
        assertEquals(1, slots.size());
    }

    @Test
    void countsTheWeightOfTheInstancesThatBeatAndForgetsTheOnesThatStopped() throws InterruptedException {
        // Keys of this test's own: the Arquillian instance beats on the real ones in this Redis.
        String tag = "{members-" + UUID.randomUUID() + "}";
        List<String> members = List.of("tr:" + tag + ":live", "tr:" + tag + ":weight", "tr:" + tag + ":report");

        assertEquals(List.of(1L, 1L), eval(MEMBERS, members, "instance-1", "1", "10000", ""));
        assertEquals(List.of(3L, 2L), eval(MEMBERS, members, "instance-2", "2", "10000", "{\"requests\":5}"));
        assertEquals(List.of(3L, 2L), eval(MEMBERS, members, "instance-2", "2", "10000", ""), "a beat is not a join");
        assertEquals(List.of(7L, 3L), eval(MEMBERS, members, "instance-4", "4", "100", "{\"requests\":9}"));

        Thread.sleep(300);
        assertEquals(
                List.of(3L, 2L), eval(MEMBERS, members, "instance-1", "1", "10000", ""), "instance-4 stopped beating");
        assertEquals(Set.of("instance-1", "instance-2"), Set.copyOf(jedis.zrange(members.get(0), 0, -1)));
        assertEquals(Set.of("instance-1", "instance-2"), jedis.hkeys(members.get(1)), "nothing of it is left");
        assertEquals(
                Set.of("instance-2", "instance-4"),
                jedis.hkeys(members.get(2)),
                "a report stays after its instance stops beating; an empty one is not written");
        assertTrue(
                jedis.hget(members.get(2), "instance-2").matches("\\d{13} \\{\"requests\":5}"),
                "an empty report keeps the last one, behind the time of its beat");

        // The dashboard's read: every instance alive with its weight, and every report, the stopped one's too...
        List<?> roll = (List<?>) eval(MEMBERS_REPORT, members, "60000");
        assertEquals(Set.of("instance-1", "instance-2"), Set.copyOf(everyOther((List<?>) roll.get(1))));
        assertEquals(Set.of("instance-2", "instance-4"), Set.copyOf(everyOther((List<?>) roll.get(3))));
        // ...until it has been gone for longer than it keeps them.
        roll = (List<?>) eval(MEMBERS_REPORT, members, "1");
        assertEquals(List.of("instance-2"), everyOther((List<?>) roll.get(3)));
        assertEquals(Set.of("instance-2"), jedis.hkeys(members.get(2)), "deleted, not just left out");

        assertEquals(List.of(1L, 1L), eval(MEMBERS, members, "instance-2", "0", "10000", ""), "instance-2 left");
        assertEquals(Set.of("instance-2"), jedis.hkeys(members.get(2)), "its last report stays readable");
        jedis.del(members.get(0), members.get(1), members.get(2));
    }

    private static List<Object> everyOther(List<?> pairs) {
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += 2) {
            keys.add(pairs.get(i));
        }
        return keys;
    }

    private long open(long tickets, long holdMillis) {
        return (Long) eval(OPEN, keys.all(), Long.toString(tickets), Long.toString(holdMillis), "1")
                .get(1);
    }

    /** The event's eleven keys, the waiting room's included, in the order open.lua and delete.lua take them. */
    private List<String> allKeys() {
        List<String> all = new ArrayList<>(keys.all());
        all.addAll(QueueKeys.of(event).all());
        return all;
    }

    private List<String> restoreKeys() {
        return allKeys();
    }

    private List<?> delete() {
        return eval(DELETE, allKeys(), "orders");
    }

    /** What the instances' hand-off does, as far as Redis sees it: every entry read and acknowledged. */
    private void handOffEverything() {
        var read = jedis.xreadGroup(
                "orders",
                "lua-test",
                XReadGroupParams.xReadGroupParams().count(10_000),
                Map.of(keys.stream(), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
        if (read != null) {
            for (var stream : read) {
                jedis.xack(
                        keys.stream(),
                        "orders",
                        stream.getValue().stream().map(StreamEntry::getID).toArray(StreamEntryID[]::new));
            }
        }
    }

    private List<?> reserve(String user) {
        return eval(RESERVE, keys.all(), event, user, user, "abc123");
    }

    private long sweep() {
        return (Long) sweepReply().get(0);
    }

    /** sweep.lua's {expired, ms until next, finished}, with the hand-off's group as the instances pass it. */
    private List<?> sweepReply() {
        return (List<?>) redis.eval(SWEEP, keys.all(), List.of("1000", "orders"));
    }

    private static List<?> eval(LuaScript script, List<String> keys, String... args) {
        Object reply = redis.eval(script, keys, List.of(args));
        return reply instanceof List<?> list ? list : List.of(reply);
    }

    private static long code(List<?> reply) {
        return (Long) reply.get(0);
    }
}
