package io.ticketrush.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedServers;
import io.ticketrush.testsupport.SingleInstanceIT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The admin API: opening, resetting and deleting a sale, reading its counts, and who may do so. */
class AdminIT extends SingleInstanceIT {

    private String event;

    @BeforeEach
    void newEvent() {
        event = Deployments.newEventId("admin");
    }

    @Test
    void opensASaleAndReportsItsCounts() {
        Api.Answer opened = api.openSale(event, 7, 60);

        assertEquals(200, opened.status());
        assertEquals(1, opened.code());
        assertEquals(counts(7, 0, 0, 7), opened.data());
        String orderId = api.buy(event, "ivan").data().getString("orderId");
        api.buy(event, "judy");
        api.pay(orderId);

        Api.Answer status = api.eventStatus(event);

        assertEquals(200, status.status());
        assertEquals(counts(7, 1, 1, 5), stockCounts(status.data()));
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        archived(1, 1, 0), handedOff(api.eventStatus(event).data())));
    }

    @Test
    void resetsASaleToAFreshOneDiscardingItsOrders() {
        api.openSale(event, 2, 60);
        String orderId = api.buy(event, "kim").data().getString("orderId");
        api.buy(event, "lee");

        assertEquals(counts(3, 0, 0, 3), api.openSale(event, 3, 60).data());

        assertEquals(404, api.get("orders/" + orderId).status(), "orders of the old sale are gone");
        assertEquals(1, api.buy(event, "kim").code(), "kim holds nothing in the new sale");
        assertEquals(counts(3, 1, 0, 2), stockCounts(api.eventStatus(event).data()));
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        archived(1, 0, 0),
                        handedOff(api.eventStatus(event).data()),
                        "the database dropped the old sale's rows and holds the new one's"));
    }

    @Test
    void refusesAFieldThatIsNotASettingNamingIt() {
        Api.Answer answer =
                api.admin("PUT", event, "{\"tickets\":5,\"holdSeconds\":60,\"handof\":false}", Api.ADMIN_TOKEN);

        assertEquals(400, answer.status(), answer.body());
        assertEquals(
                "handof is not a setting; the settings are [tickets, holdSeconds, handoff, queue]",
                answer.json().getString("msg"));
        assertEquals(404, api.eventStatus(event).status(), "nothing was opened");
    }

    @Test
    void answersBadRequestNamingEventIdForAPathIdThatIsNotAnId() {
        for (String badId : List.of("%7Bx%7D", "a%20b", "e".repeat(65))) {
            for (String method : List.of("GET", "PUT", "DELETE")) {
                Api.Answer answer = api.admin(
                        method,
                        badId,
                        "PUT".equals(method) ? "{\"tickets\":5,\"holdSeconds\":60}" : null,
                        Api.ADMIN_TOKEN);
                assertEquals(400, answer.status(), method + " " + badId + ": " + answer.body());
                assertTrue(answer.json().getString("msg").startsWith("eventId "), answer.body());
            }
        }
    }

    @Test
    void answersTheOpenStateForAWaitingRoomWhoseOpeningIsPast() {
        Api.Answer opened = api.openQueuedSale(event, 3, 60, 0, 1, 30);

        assertEquals(200, opened.status(), opened.body());
        JsonObject queue = opened.data().getJsonObject("queue");
        assertEquals("WAITING", queue.getString("state"), opened.body());
        assertEquals(0, queue.getInt("frozen"), "an empty pre-queue, frozen at once");
        assertEquals(
                "WAITING", api.eventStatus(event).data().getJsonObject("queue").getString("state"));
    }

    @Test
    void answersNotFoundForTheStatusOfAnEventNeverOpened() {
        Api.Answer answer = api.eventStatus(event);

        assertEquals(404, answer.status());
        assertEquals(-404, answer.code());
    }

    @Test
    void refusesRequestsWithoutTheRightToken() {
        for (String token : List.of("", "wrong-token", Api.ADMIN_TOKEN + "x")) {
            Api.Answer put =
                    api.admin("PUT", event, "{\"tickets\":5,\"holdSeconds\":60}", token.isEmpty() ? null : token);
            assertEquals(401, put.status(), token);
            assertEquals(-401, put.code());
            assertEquals(
                    401,
                    api.admin("GET", event, null, token.isEmpty() ? null : token)
                            .status());
        }
        assertEquals(404, api.eventStatus(event).status(), "a refused PUT opened nothing");
    }

    @Test
    void refusesSaleSettingsOutsideTheirRange() {
        List<String> bodies = List.of(
                "{\"tickets\":-1,\"holdSeconds\":60}",
                "{\"tickets\":1000000001,\"holdSeconds\":60}",
                "{\"tickets\":5,\"holdSeconds\":0}",
                "{\"tickets\":5,\"holdSeconds\":86401}",
                "{\"tickets\":5.5,\"holdSeconds\":60}",
                "{\"tickets\":\"5\",\"holdSeconds\":60}",
                "{\"tickets\":1e400,\"holdSeconds\":60}",
                "{\"holdSeconds\":60}",
                "{\"tickets\":5}",
                "[5, 60]",
                "{\"tickets\":5,",
                "",
                "null");
        for (String body : bodies) {
            Api.Answer answer = api.admin("PUT", event, body, Api.ADMIN_TOKEN);
            assertEquals(400, answer.status(), body);
            assertEquals(-400, answer.code(), body);
            assertFalse(answer.json().getString("msg").isBlank());
        }
        Api.Answer named = api.admin("PUT", event, "{\"tickets\":5,\"holdSeconds\":0}", Api.ADMIN_TOKEN);
        assertTrue(named.json().getString("msg").contains("holdSeconds"), named.body());
        assertEquals(404, api.eventStatus(event).status(), "nothing was opened by a bad request");
    }

    @Test
    void acceptsTheLimitsThemselves() {
        assertEquals(
                200,
                api.admin("PUT", event, "{\"tickets\":1000000000,\"holdSeconds\":86400}", Api.ADMIN_TOKEN)
                        .status());
        assertEquals(
                200,
                api.admin("PUT", event, "{\"tickets\":0,\"holdSeconds\":1}", Api.ADMIN_TOKEN)
                        .status());
        assertEquals(-1, api.buy(event, "mona").code(), "a sale of zero tickets is sold out");
    }

    @Test
    void deletesASaleOnceItsOrdersAreInTheDatabaseAndAnswersNoSuchEventAfter() {
        api.openSale(event, 3, 60);
        String orderId = api.buy(event, "nia").data().getString("orderId");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(0, api.eventStatus(event).data().getInt("handoffLag")));

        Api.Answer deleted = api.deleteSale(event);

        assertEquals(200, deleted.status(), deleted.body());
        assertEquals("sale deleted", deleted.json().getString("msg"));
        assertEquals(counts(3, 1, 0, 2), deleted.data(), "the counts it had when deleted");
        assertEquals(404, api.eventStatus(event).status());
        Api.Answer buy = api.buy(event, "omar");
        assertEquals(404, buy.status(), "a purchase of a deleted sale: no such event, not 503; " + buy.body());
        assertEquals("no such event: " + event, buy.json().getString("msg"));
        assertEquals(404, api.get("events/" + event).status());
        assertEquals(404, api.deleteSale(event).status(), "deleted already");
        Api.Answer order = api.get("orders/" + orderId);
        assertEquals(200, order.status(), "its orders stay readable from the database: " + order.body());
        try (Jedis redis = SharedServers.server().client()) {
            for (String key : List.of(
                    EventKeys.of(event).buyers(),
                    EventKeys.of(event).orders(),
                    EventKeys.of(event).expiry(),
                    EventKeys.of(event).stream(),
                    QueueKeys.of(event).queue())) {
                assertFalse(redis.exists(key), key + " survived");
            }
            assertEquals(
                    Set.of("deleted", "deletedAt", "gen", "seq"),
                    redis.hkeys(EventKeys.of(event).stock()),
                    "only its tombstone is left");
            assertFalse(redis.sismember(EventKeys.EVENTS, event), "no instance walks it any more");
        }
        Api.Answer restore = api.admin("POST", event + "/restore", null, Api.ADMIN_TOKEN);
        assertEquals(409, restore.status(), restore.body());
        assertTrue(restore.json().getString("msg").contains("was deleted"), restore.body());

        assertEquals(counts(2, 0, 0, 2), api.openSale(event, 2, 60).data(), "opened again, as a new sale");
        Api.Answer again = api.buy(event, "nia");
        assertEquals(1, again.code(), again.body());
        assertTrue(again.data().getString("orderId").startsWith(event + "-2-"), "order ids carry on: " + again.body());
    }

    @Test
    void aSaleThatIsOverLeavesTheSetsEveryInstanceWalksUntilItIsOpenedAgain() {
        // A window of 3 s: the waiting room is done only once its last admission window is over.
        Api.Answer opened = api.openQueuedSale(event, 1, 60, System.currentTimeMillis() - 1_000, 10, 3);
        assertEquals(200, opened.status(), opened.body());
        String place = api.join(event, "pia").data().getString("place");
        String[] admission = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Api.Answer answer = api.admission(event, place);
            // Asked again only while told "not yet"; any other answer fails at once.
            assertTrue(answer.code() == 1 || answer.code() == -3, answer.body());
            admission[0] = answer.code() == 1 ? answer.data().getString("admission") : null;
            return admission[0] != null;
        });
        String orderId = api.buyAdmitted(event, "pia", admission[0]).data().getString("orderId");
        try (Jedis redis = SharedServers.server().client()) {
            assertTrue(
                    redis.sismember(EventKeys.EVENTS, event) && redis.sismember(WaitingRoom.QUEUED, event),
                    "a sale on sale is walked");
            assertEquals(200, api.pay(orderId).status());

            // Every ticket paid and handed off, no admission window open: nothing is left to do.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                assertFalse(redis.sismember(EventKeys.EVENTS, event), "still in " + EventKeys.EVENTS);
                assertFalse(redis.sismember(WaitingRoom.QUEUED, event), "still in " + WaitingRoom.QUEUED);
            });
            assertEquals("SOLD_OUT", api.queueState(event).data().getString("state"), "the sale is still there, over");
            assertTrue(api.get("events/" + event).data().getBoolean("queue"), "and still has its waiting room");
            assertEquals(
                    -1,
                    api.admission(event, api.join(event, "quinn").data().getString("place"))
                            .code());
            assertEquals(403, api.buy(event, "rosa").status(), "without an admission nothing is bought");

            assertEquals(200, api.openSale(event, 2, 60).status(), "opened again, without a waiting room");
            assertTrue(redis.sismember(EventKeys.EVENTS, event), "walked again");
            assertFalse(api.get("events/" + event).data().getBoolean("queue"));
            assertEquals(1, api.buy(event, "rosa").code(), "sold without an admission now");
        }
    }

    @Test
    void appliesAnOpeningOncePerRequestIdOrIdempotencyKey() {
        String body = "{\"tickets\":4,\"holdSeconds\":60}";
        Api.Answer first = api.admin("PUT", event, body, Api.ADMIN_TOKEN, Map.of("X-Request-Id", "req-" + event));
        assertEquals(200, first.status(), first.body());
        long gen = generation();
        assertEquals(1, api.buy(event, "sam").code());

        Api.Answer repeat = api.admin("PUT", event, body, Api.ADMIN_TOKEN, Map.of("X-Request-Id", "req-" + event));

        assertEquals(200, repeat.status(), repeat.body());
        assertEquals("sale opened", repeat.json().getString("msg"));
        assertEquals(counts(4, 1, 0, 3), repeat.data(), "the sale as it is: not reset again");
        assertEquals(gen, generation());
        Api.Answer reused = api.admin(
                "PUT",
                event,
                "{\"tickets\":9,\"holdSeconds\":60}",
                Api.ADMIN_TOKEN,
                Map.of("X-Request-Id", "req-" + event));
        assertEquals(422, reused.status(), reused.body());
        assertEquals(-422, reused.code());
        assertEquals(4, api.eventStatus(event).data().getInt("tickets"));

        // A client's own key holds across requests that nginx gives different ids.
        for (String requestId : List.of("a-" + event, "b-" + event)) {
            Api.Answer keyed = api.admin(
                    "PUT",
                    event,
                    body,
                    Api.ADMIN_TOKEN,
                    Map.of("Idempotency-Key", "key-" + event, "X-Request-Id", requestId));
            assertEquals(200, keyed.status(), keyed.body());
        }
        assertTrue(generation() > gen, "the key's opening was applied, once");
        long keyed = generation();
        assertEquals(1, api.buy(event, "sam").code(), "a fresh sale: sam holds nothing in it");
        api.admin("PUT", event, body, Api.ADMIN_TOKEN, Map.of("Idempotency-Key", "key-" + event));
        assertEquals(keyed, generation());
        assertEquals(1, api.eventStatus(event).data().getInt("reserved"), "and not twice");
    }

    private long generation() {
        try (Jedis redis = SharedServers.server().client()) {
            return Long.parseLong(redis.hget(EventKeys.of(event).stock(), "gen"));
        }
    }

    /** The Redis counts of a status answer, without the hand-off's fields; a sale without a waiting room's. */
    private static JsonObject stockCounts(JsonObject data) {
        assertTrue(data.isNull("queue"), "a sale opened without \"queue\" has no waiting room: " + data);
        return Json.createObjectBuilder(data)
                .remove("database")
                .remove("handoffLag")
                .remove("queue")
                .build();
    }

    /** The database's counts and the hand-off lag of a status answer. */
    private static JsonObject handedOff(JsonObject data) {
        return Json.createObjectBuilder()
                .add("database", data.get("database"))
                .add("handoffLag", data.get("handoffLag"))
                .build();
    }

    private static JsonObject archived(long reserved, long paid, long expired) {
        return Json.createObjectBuilder()
                .add(
                        "database",
                        Json.createObjectBuilder()
                                .add("reserved", reserved)
                                .add("paid", paid)
                                .add("expired", expired))
                .add("handoffLag", 0)
                .build();
    }

    private JsonObject counts(long tickets, long reserved, long paid, long available) {
        return Json.createObjectBuilder()
                .add("eventId", event)
                .add("tickets", tickets)
                .add("reserved", reserved)
                .add("paid", paid)
                .add("available", available)
                .build();
    }
}
