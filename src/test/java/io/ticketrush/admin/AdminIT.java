package io.ticketrush.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Eventually;
import io.ticketrush.testsupport.SingleInstanceIT;

/** The admin API: opening and resetting a sale, reading its counts, and who may do so. */
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
        Eventually.within(Duration.ofSeconds(10), () -> assertEquals(archived(1, 1, 0), handedOff(api.eventStatus(event).data())));
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
        Eventually.within(Duration.ofSeconds(10), () -> assertEquals(archived(1, 0, 0), handedOff(api.eventStatus(event).data()),
                "the database dropped the old sale's rows and holds the new one's"));
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
            Api.Answer put = api.admin("PUT", event, "{\"tickets\":5,\"holdSeconds\":60}", token.isEmpty() ? null : token);
            assertEquals(401, put.status(), token);
            assertEquals(-401, put.code());
            assertEquals(401, api.admin("GET", event, null, token.isEmpty() ? null : token).status());
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
        assertEquals(200, api.admin("PUT", event, "{\"tickets\":1000000000,\"holdSeconds\":86400}", Api.ADMIN_TOKEN).status());
        assertEquals(200, api.admin("PUT", event, "{\"tickets\":0,\"holdSeconds\":1}", Api.ADMIN_TOKEN).status());
        assertEquals(-1, api.buy(event, "mona").code(), "a sale of zero tickets is sold out");
    }

    /** The Redis counts of a status answer, without the hand-off's fields; a sale without a waiting room's. */
    private static JsonObject stockCounts(JsonObject data) {
        assertTrue(data.isNull("queue"), "a sale opened without \"queue\" has no waiting room: " + data);
        return Json.createObjectBuilder(data).remove("database").remove("handoffLag").remove("queue").build();
    }

    /** The database's counts and the hand-off lag of a status answer. */
    private static JsonObject handedOff(JsonObject data) {
        return Json.createObjectBuilder().add("database", data.get("database")).add("handoffLag", data.get("handoffLag")).build();
    }

    private static JsonObject archived(long reserved, long paid, long expired) {
        return Json.createObjectBuilder()
                .add("database", Json.createObjectBuilder().add("reserved", reserved).add("paid", paid).add("expired", expired))
                .add("handoffLag", 0).build();
    }

    private JsonObject counts(long tickets, long reserved, long paid, long available) {
        return Json.createObjectBuilder().add("eventId", event).add("tickets", tickets).add("reserved", reserved).add("paid", paid)
                .add("available", available).build();
    }
}
