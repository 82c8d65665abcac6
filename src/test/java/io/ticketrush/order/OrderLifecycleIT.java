package io.ticketrush.order;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SingleInstanceIT;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reserve, pay, expire, sell again: the pre-deduct lifecycle over HTTP. */
class OrderLifecycleIT extends SingleInstanceIT {

    /** The contract: expired reservations are swept within two seconds of their deadline. */
    private static final Duration SWEEP_LIMIT = Duration.ofSeconds(2);

    private String event;

    @BeforeEach
    void newEvent() {
        event = Deployments.newEventId("order");
    }

    @Test
    void looksUpAnOrderById() {
        api.openSale(event, 3, 300);
        JsonObject reserved = api.buy(event, "frank").data();

        Api.Answer found = api.get("orders/" + reserved.getString("orderId"));

        assertEquals(200, found.status());
        assertEquals(1, found.code());
        assertEquals(reserved, found.data());
    }

    @Test
    void answersNotFoundForAnUnknownOrder() {
        for (String unknown : List.of(event + "-999999-zzzzzz", "no-such-thing", "x")) {
            Api.Answer answer = api.get("orders/" + unknown);
            assertEquals(404, answer.status(), unknown);
            assertEquals(-404, answer.code());
        }
        assertEquals(404, api.pay(event + "-1-abcdef").status());
    }

    @Test
    void paysAReservationAndPayingTwiceGivesTheSameAnswer() {
        api.openSale(event, 3, 300);
        String orderId = api.buy(event, "grace").data().getString("orderId");

        Api.Answer paid = api.pay(orderId);
        Api.Answer again = api.pay(orderId);

        assertEquals(200, paid.status());
        assertEquals(1, paid.code());
        assertEquals("PAID", paid.data().getString("status"));
        assertEquals(paid.json(), again.json());
        assertEquals("PAID", api.get("orders/" + orderId).data().getString("status"));
        JsonObject status = api.eventStatus(event).data();
        assertEquals(0, status.getInt("reserved"));
        assertEquals(1, status.getInt("paid"));
        assertEquals(2, status.getInt("available"));
    }

    @Test
    void expiresUnpaidHoldsAndSellsTheirTicketsAgain() {
        int tickets = 5;
        api.openSale(event, tickets, 1);
        List<String> orderIds = new ArrayList<>();
        for (int i = 0; i < tickets; i++) {
            orderIds.add(api.buy(event, "early-" + i).data().getString("orderId"));
        }
        assertEquals(-1, api.buy(event, "late-0").code(), "sold out while the holds last");
        String paid = orderIds.get(0);
        assertEquals(1, api.pay(paid).code());

        // Four unpaid holds run out after one second and come back within the sweep limit.
        await().atMost(Duration.ofSeconds(1).plus(SWEEP_LIMIT))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertEquals(tickets - 1, api.eventStatus(event).data().getInt("available")));

        for (String orderId : orderIds.subList(1, tickets)) {
            assertEquals("EXPIRED", api.get("orders/" + orderId).data().getString("status"));
            Api.Answer refused = api.pay(orderId);
            assertEquals(409, refused.status());
            assertEquals(-409, refused.code());
            assertEquals("EXPIRED", refused.data().getString("status"));
        }
        // The used-up share re-opens within one refresh interval of the tickets' return, with what Redis has then
        // (holds expired by two sweeps re-open it with one ticket, then again once that is used); then each late
        // buyer gets one, after at most the permit wait or a "busy, try again".
        await().atMost(Duration.ofSeconds(2))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(api.localPermits(event) > 0, "the share re-opened"));
        for (int i = 0; i < tickets - 1; i++) {
            Api.Answer late = api.buyPastBusy(event, "late-" + i);
            assertEquals(1, late.code(), late.body());
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(-1, api.buy(event, "later-" + i).code(), "every returned ticket sold again, and no more");
        }
        assertEquals(0, api.eventStatus(event).data().getInt("available"));
        assertEquals("PAID", api.get("orders/" + paid).data().getString("status"), "paid orders never expire");
    }

    @Test
    void letsABuyerWhoseHoldExpiredBuyAgain() {
        api.openSale(event, 1, 1);
        String first = api.buy(event, "heidi").data().getString("orderId");

        await().atMost(Duration.ofSeconds(1).plus(SWEEP_LIMIT))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(1, api.eventStatus(event).data().getInt("available")));

        await().atMost(Duration.ofSeconds(1))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(api.localPermits(event) > 0, "the share re-opened"));
        Api.Answer again = api.buy(event, "heidi");
        assertEquals(1, again.code(), again.body());
        assertTrue(!first.equals(again.data().getString("orderId")), "a new order");
    }
}
