package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reservations across the cluster: they expire and sell again on any instance; paid ones stay paid. */
@ExtendWith(SharedCluster.class)
class ClusterOrdersIT {

    private static final Duration SWEEP_LIMIT = Duration.ofSeconds(2);

    @Test
    void resellsExpiredTicketsToNewBuyersWhicheverInstanceTheyReach(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("expiry");
        int tickets = 60;
        api.openSale(event, tickets, 2);
        List<Api.Answer> first = Crowd.run(buyers(api, event, "first", 300), 40);
        assertEquals(tickets, count(first, 1));

        await().atMost(Duration.ofSeconds(2).plus(SWEEP_LIMIT))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertEquals(tickets, api.eventStatus(event).data().getInt("available")));
        // Every instance has re-opened its share of the returned tickets (within a refresh; under load, later).
        // Else the first instances to refresh could sell all 60 before a late one has any to sell.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (int i = 1; i <= Cluster.INSTANCES; i++) {
                assertTrue(cluster.instance(i).localPermits(event) > 0, "instance-" + i + " has a share");
            }
        });

        // New buyers keep coming, a wave at a time, until the returned tickets are gone; shares re-open within a
        // refresh interval.
        List<Api.Answer> second = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        do {
            assertTrue(System.nanoTime() < deadline, "returned tickets still left: " + count(second, 1) + " sold");
            second.addAll(Crowd.run(buyers(api, event, "second-" + second.size(), 100), 20));
        } while (api.eventStatus(event).data().getInt("available") > 0);
        assertEquals(tickets, count(second, 1), "the returned tickets, each sold once");
        Map<String, Integer> sellers = new HashMap<>();
        for (Api.Answer answer : second) {
            if (answer.code() == 1) {
                sellers.merge(answer.header("X-Instance"), 1, Integer::sum);
            }
        }
        assertEquals(Cluster.INSTANCES, sellers.size(), "every instance sold returned tickets: " + sellers);
        assertEquals(tickets, api.eventStatus(event).data().getInt("reserved"));
        assertEquals(0, api.eventStatus(event).data().getInt("available"));
    }

    @Test
    void keepsPaidOrdersPaidPastTheirHoldTime(Cluster cluster) throws InterruptedException {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("paid");
        api.openSale(event, 20, 1);
        List<String> paid = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String orderId = api.buy(event, "payer-" + i).data().getString("orderId");
            Api.Answer payment = api.pay(orderId);
            assertEquals(200, payment.status(), payment.body());
            assertEquals("PAID", payment.data().getString("status"));
            paid.add(orderId);
        }
        String unpaid = api.buy(event, "idler").data().getString("orderId");

        Thread.sleep(Duration.ofSeconds(1).plus(SWEEP_LIMIT).toMillis());

        Set<String> instances = new HashSet<>();
        for (String orderId : paid) {
            for (int i = 0; i < 3; i++) {
                Api.Answer answer = api.get("orders/" + orderId);
                assertEquals("PAID", answer.data().getString("status"), orderId);
                instances.add(answer.header("X-Instance"));
            }
        }
        assertEquals(Cluster.INSTANCES, instances.size(), "every instance reads the same order");
        assertEquals("EXPIRED", api.get("orders/" + unpaid).data().getString("status"));
        assertEquals(409, api.pay(unpaid).status());
        assertEquals(8, api.eventStatus(event).data().getInt("paid"));
        assertEquals(0, api.eventStatus(event).data().getInt("reserved"));
    }

    private static List<Supplier<Api.Answer>> buyers(Api api, String event, String prefix, int count) {
        List<Supplier<Api.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = prefix + "-" + i;
            calls.add(() -> api.buy(event, user));
        }
        return calls;
    }

    private static int count(List<Api.Answer> answers, int code) {
        return (int) answers.stream().filter(a -> a.code() == code).count();
    }
}
