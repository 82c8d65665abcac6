package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Admin changes on the four instances: a PUT or DELETE that reaches two instances under one request id (as nginx
 * resends one that timed out) is applied once; a deleted sale is no such event on every instance, at once.
 */
@ExtendWith(SharedCluster.class)
class AdminRequestsIT {

    @Test
    void aResetSentToTwoInstancesUnderOneRequestIdDrawsOneSeedAndOneGeneration(Cluster cluster) {
        String event = Deployments.newEventId("twice");
        String body = "{\"tickets\":20,\"holdSeconds\":60,\"queue\":{\"opensAt\":"
                + (System.currentTimeMillis() + 60_000) + ",\"admitPerSecond\":10,\"admitWindowSeconds\":60}}";
        Map<String, String> sameRequest = Map.of("X-Request-Id", "reset-" + event);

        Api.Answer first = cluster.instance(1).admin("PUT", event, body, Api.ADMIN_TOKEN, sameRequest);
        Api.Answer second = cluster.instance(2).admin("PUT", event, body, Api.ADMIN_TOKEN, sameRequest);

        assertEquals(200, first.status(), first.body());
        assertEquals(200, second.status(), second.body());
        String commitment = first.data().getJsonObject("queue").getString("commitment");
        assertEquals(commitment, second.data().getJsonObject("queue").getString("commitment"), "one seed");
        assertEquals(
                commitment,
                cluster.nginx().fairness(event).data().getString("commitment"),
                "the commitment published is the first one");
        try (Jedis redis = cluster.redis()) {
            var resets = redis.xrange(EventKeys.of(event).stream(), "-", "+").stream()
                    .filter(entry -> "Z".equals(entry.getFields().get("s")))
                    .toList();
            assertEquals(1, resets.size(), "one opening, one generation: " + resets);
            assertEquals(
                    resets.get(0).getFields().get("g"),
                    redis.hget(EventKeys.of(event).stock(), "gen"));
        }
        // A third request, with an id of its own, is a reset like any other: a new seed.
        Api.Answer third =
                cluster.instance(3).admin("PUT", event, body, Api.ADMIN_TOKEN, Map.of("X-Request-Id", "x-" + event));
        assertFalse(commitment.equals(third.data().getJsonObject("queue").getString("commitment")));
    }

    @Test
    void aDeletionSentTwiceUnderOneRequestIdAnswersTheSecondAsTheFirst(Cluster cluster) {
        Api nginx = cluster.nginx();
        String event = Deployments.newEventId("delete-twice");
        nginx.openSale(event, 5, 60);
        assertEquals(1, nginx.buy(event, "una").code());
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(0, nginx.eventStatus(event).data().getInt("handoffLag")));
        Map<String, String> sameRequest = Map.of("X-Request-Id", "delete-" + event);

        Api.Answer first = cluster.instance(3).admin("DELETE", event, null, Api.ADMIN_TOKEN, sameRequest);
        Api.Answer second = cluster.instance(4).admin("DELETE", event, null, Api.ADMIN_TOKEN, sameRequest);

        assertEquals(200, first.status(), first.body());
        assertEquals(first.body(), second.body(), "answered as the first was");
        assertEquals(404, cluster.instance(1).deleteSale(event).status(), "another request finds nothing to delete");
        assertEquals(
                422,
                cluster.instance(2)
                        .admin("PUT", event, "{\"tickets\":1,\"holdSeconds\":1}", Api.ADMIN_TOKEN, sameRequest)
                        .status(),
                "the id of a deletion is not an opening's");
    }

    @Test
    void everyInstanceThatSoldADeletedSaleAnswersNoSuchEventAndForgetsItsShare(Cluster cluster) {
        String event = Deployments.newEventId("deleted");
        cluster.nginx().openSale(event, 40, 60);
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            assertEquals(1, cluster.instance(i).buy(event, "buyer-" + i).code(), "instance-" + i + " sells");
        }
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        0, cluster.nginx().eventStatus(event).data().getInt("handoffLag")));

        JsonObject deleted = cluster.instance(1).deleteSale(event).data();

        assertEquals(
                List.of(40, 4, 0),
                List.of(deleted.getInt("tickets"), deleted.getInt("reserved"), deleted.getInt("paid")));
        // At once, before the others' next refresh: they hold a share, and Redis's tombstone tells them apart from a
        // sale Redis lost (503).
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            Api.Answer answer = cluster.instance(i).buy(event, "late-" + i);
            assertEquals(404, answer.status(), "instance-" + i + ": " + answer.body());
            assertEquals(404, cluster.instance(i).buyAgain(event, "buyer-" + i).status(), "a retrying holder too");
        }
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            for (JsonObject instance :
                    cluster.nginx().instances().data().getJsonArray("instances").getValuesAs(JsonObject.class)) {
                assertFalse(instance.getJsonObject("permits").containsKey(event), "a share left: " + instance);
            }
        });
        try (Jedis redis = cluster.redis()) {
            assertFalse(redis.sismember(EventKeys.EVENTS, event));
        }
        assertEquals(1, cluster.nginx().openSale(event, 40, 60).code(), "the id may be opened again");
        // To the instance that deleted it and forgot its share: it learns the new sale from Redis on this purchase.
        Api.Answer anew = cluster.instance(1).buyPastBusy(event, "anew");
        assertEquals(1, anew.code(), anew.body());
    }
}
