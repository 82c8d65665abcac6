package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/** The topology cluster.sh runs, end to end: nginx 1:2:3:4 over four Payara Micro instances, one Redis. */
@ExtendWith(SharedCluster.class)
class FlashSaleIT {

    private static final int TICKETS = 500;
    private static final int BUYERS = 3_200;
    private static final int CONCURRENCY = 120;

    @Test
    void sellsExactlyItsTicketsToACrowdThroughNginxSplitByWeight(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("rush");
        assertEquals(200, api.openSale(event, TICKETS, 300).status());

        List<Supplier<Api.Answer>> purchases = new ArrayList<>();
        for (int i = 0; i < BUYERS; i++) {
            String user = "buyer-" + i;
            purchases.add(() -> api.buyPastBusy(event, user));
            // Every tenth buyer presses again, in another spelling of the same id. Each asks again while told
            // "busy, try again" (503 -3), as the API tells buyers to: every request ends in one final answer.
            if (i % 10 == 0) {
                purchases.add(() -> api.buyPastBusy(event, " " + user.toUpperCase()));
            }
        }
        List<Api.Answer> answers = Crowd.run(purchases, CONCURRENCY);

        Map<Integer, Integer> codes = new HashMap<>();
        Map<String, Integer> byInstance = new HashMap<>();
        Set<String> orderIds = new HashSet<>();
        Set<String> winners = new HashSet<>();
        for (Api.Answer answer : answers) {
            assertEquals(200, answer.status(), answer.body());
            codes.merge(answer.code(), 1, Integer::sum);
            // nginx answers a sold-out crowd itself for the rest of each second (the answer names the instance that
            // gave it first): the split is of what reached an instance.
            if (!Set.of("HIT", "UPDATING").contains(answer.header("X-Cache-Status"))) {
                byInstance.merge(answer.header("X-Instance"), 1, Integer::sum);
            }
            if (answer.code() == 1) {
                JsonObject order = answer.data();
                assertTrue(orderIds.add(order.getString("orderId")), "order ids are distinct");
                assertTrue(winners.add(order.getString("userId").strip().toLowerCase()), "no buyer twice");
            }
        }
        int sent = BUYERS + BUYERS / 10;
        assertEquals(sent, answers.size(), "one answer per request sent");
        assertEquals(
                sent - TICKETS,
                codes.getOrDefault(-1, 0) + codes.getOrDefault(-2, 0),
                "every request but one per ticket refused, sold out or already held: " + codes);
        assertEquals(TICKETS, codes.get(1), "exactly the tickets there are: " + codes);
        assertTrue(Set.of(1, -1, -2).containsAll(codes.keySet()), "reserved, sold out or already held: " + codes);

        JsonObject status = api.eventStatus(event).data();
        assertEquals(TICKETS, status.getInt("reserved"));
        assertEquals(0, status.getInt("available"));

        int total = byInstance.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total >= TICKETS, "every sale reached an instance: " + byInstance);
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            double expected = total * Cluster.WEIGHTS[i - 1] / 10.0;
            int actual = byInstance.getOrDefault("instance-" + i, 0);
            assertTrue(
                    Math.abs(actual - expected) <= 0.25 * expected,
                    "instance-" + i + " answered " + actual + " of " + total + ", expected about " + expected + ": "
                            + byInstance);
        }
    }

    @Test
    void keepsRedisDurableWithAnAppendOnlyFile(Cluster cluster) {
        try (Jedis redis = new Jedis("127.0.0.1", cluster.redisPort())) {
            assertEquals("yes", redis.configGet("appendonly").get("appendonly"));
        }
    }
}
