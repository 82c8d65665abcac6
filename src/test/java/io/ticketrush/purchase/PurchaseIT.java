package io.ticketrush.purchase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SingleInstanceIT;
import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /buy/ticket} on the built WAR, on Payara Micro, against a real Redis. */
class PurchaseIT extends SingleInstanceIT {

    private String event;

    @BeforeEach
    void newEvent() {
        event = Deployments.newEventId("buy");
    }

    @Test
    void reservesATicketAndAnswersTheOrder() {
        assertEquals(200, api.openSale(event, 10, 300).status());
        long before = System.currentTimeMillis();

        Api.Answer answer = api.buy(event, "alice");

        assertEquals(200, answer.status());
        assertEquals(1, answer.code());
        JsonObject order = answer.data();
        assertEquals(Set.of("orderId", "eventId", "userId", "status", "expiresAt"), order.keySet());
        assertTrue(order.getString("orderId").startsWith(event + "-"));
        assertEquals(event, order.getString("eventId"));
        assertEquals("alice", order.getString("userId"));
        assertEquals("RESERVED", order.getString("status"));
        long expiresAt = order.getJsonNumber("expiresAt").longValue();
        assertTrue(
                expiresAt >= before + 299_000 && expiresAt <= System.currentTimeMillis() + 301_000,
                "expiresAt is the hold time from now, in epoch ms: " + expiresAt);
        assertEquals(INSTANCE_NAME, answer.header("X-Instance"));
        assertTrue(answer.header("Content-Type").startsWith("application/json"));
    }

    @Test
    void answersSoldOutOnceEveryTicketIsTaken() {
        api.openSale(event, 2, 300);
        assertEquals(1, api.buy(event, "u1").code());
        assertEquals(1, api.buy(event, "u2").code());

        // Under load the instance may not have heard from Redis that nothing is left when u3 comes: busy, try again.
        Api.Answer soldOut = api.buyPastBusy(event, "u3");

        assertEquals(200, soldOut.status());
        assertEquals(-1, soldOut.code());
        assertTrue(soldOut.json().isNull("data"));
        assertEquals(2, api.eventStatus(event).data().getInt("reserved"));
    }

    @Test
    void givesARetryingHolderTheirOrderEvenWhereTheLocalShareIsUsedUp() {
        api.openSale(event, 3, 300);
        JsonObject alices = api.buy(event, "alice").data();
        assertEquals(1, api.buy(event, "bob").code());
        assertEquals(1, api.buy(event, "carol").code());
        assertEquals(-1, api.buy(event, "dave").code(), "Redis says sold out; the share now answers alone");
        double askedRedis = outcome("sold_out_redis");
        double local = outcome("sold_out_local");

        // Alice's first answer was lost (so she thinks): her retry gets her order back, not "sold out".
        Api.Answer again = api.buyAgain(event, "ALICE");
        assertEquals(200, again.status());
        assertEquals(-2, again.code(), again.body());
        assertEquals(alices, again.data(), "the very same order");
        // nginx's resend says the same with a header; anything but true or false there is refused.
        Api.Answer resent = api.send(buyRequest("alice").header("X-Ticketrush-Retry", "true"));
        assertEquals(-2, resent.code(), resent.body());
        assertEquals(alices, resent.data());
        Api.Answer unclear = api.send(buyRequest("alice").header("X-Ticketrush-Retry", "maybe"));
        assertEquals(400, unclear.status());
        assertEquals(
                "header X-Ticketrush-Retry must be true or false",
                unclear.json().getString("msg"));
        // A retry asks Redis, which says whether the buyer holds an order: one without is still told sold out.
        assertEquals(-1, api.buyAgain(event, "erin").code());
        // Without retry=true the used-up share answers without asking Redis, even a holder (docs/api.md says so).
        assertEquals(-1, api.buy(event, "alice").code());

        assertEquals(askedRedis + 1, outcome("sold_out_redis"), "erin's retry, answered by Redis");
        assertEquals(local + 1, outcome("sold_out_local"));
        JsonObject status = api.eventStatus(event).data();
        assertEquals(3, status.getInt("reserved"), "3 tickets, 3 buyers");
        assertEquals(0, status.getInt("available"));
    }

    private HttpRequest.Builder buyRequest(String user) {
        return api.postRequest("buy/ticket", Map.of("userId", user, "eventId", event));
    }

    private double outcome(String outcome) {
        return api.metric("ticketrush_purchases_total\\{[^}]*outcome=\"" + outcome + "\"[^}]*\\}");
    }

    @Test
    void givesABuyerTheirOwnOrderBackWhateverCaseOrSpacesTheyUse() {
        api.openSale(event, 10, 300);
        JsonObject first = api.buy(event, "Alice").data();

        for (String sameBuyer : List.of("Alice", "alice", "  ALICE ", "aLiCe")) {
            Api.Answer again = api.buy(event, sameBuyer);
            assertEquals(200, again.status());
            assertEquals(-2, again.code(), sameBuyer);
            assertEquals(first, again.data(), "the retry gets the very same order back");
        }
        assertEquals(1, api.eventStatus(event).data().getInt("reserved"));
    }

    @Test
    void sellsFromTheDefaultEventWhenNoneIsNamed() {
        api.openSale("default", 5, 300);
        String user = Deployments.newEventId("buyer");

        Api.Answer answer = api.buy(user);

        assertEquals(1, answer.code(), answer.body());
        assertEquals("default", answer.data().getString("eventId"));
    }

    @Test
    void refusesAUserIdInTheQueryStringSoThatNoAccessLogKeepsIt() {
        api.openSale(event, 5, 300);

        Api.Answer answer = api.post("buy/ticket?userId=alice", Map.of("eventId", event));

        assertEquals(400, answer.status(), answer.body());
        assertEquals(
                "userId must be sent in the form body, not in the query string (access logs keep the query"
                        + " string)",
                answer.json().getString("msg"));
        assertEquals(
                400,
                api.post("buy/ticket?user%49d=alice", Map.of("userId", "alice", "eventId", event))
                        .status(),
                "named however it is escaped, and even beside one in the body");
        assertEquals(5, api.eventStatus(event).data().getInt("available"), "nothing sold");
        assertEquals(1, api.buy(event, "alice").code(), "in the body it buys");
    }

    @Test
    void answersNotFoundForAnEventNeverOpened() {
        Api.Answer answer = api.buy("never-opened-" + event, "alice");

        assertEquals(404, answer.status());
        assertEquals(-404, answer.code());
        assertTrue(answer.json().getString("msg").contains("event"));
        assertEquals(404, api.eventStatus("never-opened-" + event).status(), "and nothing was created");
    }

    @Test
    void sellsExactlyTheTicketsItHasToManyConcurrentBuyers() {
        int tickets = 50;
        int buyers = 240;
        api.openSale(event, tickets, 300);
        List<Supplier<Api.Answer>> purchases = new ArrayList<>();
        for (int i = 0; i < buyers; i++) {
            String user = "user-" + i;
            // Some buyers press "buy" twice at once: they must still get one ticket at most. Each asks again while
            // told "busy, try again" (503 -3), as the API tells buyers to: every request ends in one final answer.
            purchases.add(() -> api.buyPastBusy(event, user));
            if (i % 10 == 0) {
                purchases.add(() -> api.buyPastBusy(event, user.toUpperCase()));
            }
        }
        Map<Integer, Integer> codes = new HashMap<>();
        Set<String> orderIds = new HashSet<>();
        Set<String> winners = new HashSet<>();
        for (Api.Answer answer : Crowd.run(purchases, buyers)) {
            assertEquals(200, answer.status(), answer.body());
            codes.merge(answer.code(), 1, Integer::sum);
            if (answer.code() == 1) {
                assertTrue(orderIds.add(answer.data().getString("orderId")), "order ids are distinct");
                assertTrue(winners.add(answer.data().getString("userId").toLowerCase()), "no buyer twice");
            }
        }
        int sent = buyers + buyers / 10;
        assertEquals(
                sent - tickets,
                codes.getOrDefault(-1, 0) + codes.getOrDefault(-2, 0),
                "every request but one per ticket refused, sold out or already held: " + codes);
        assertEquals(tickets, codes.get(1), "exactly the tickets there are: " + codes);
        assertTrue(Set.of(1, -1, -2).containsAll(codes.keySet()), "reserved, sold out or already held: " + codes);
        assertNotNull(codes.get(-1), "the rest were told: sold out");
        JsonObject status = api.eventStatus(event).data();
        assertEquals(tickets, status.getInt("reserved"));
        assertEquals(0, status.getInt("available"));
    }
}
