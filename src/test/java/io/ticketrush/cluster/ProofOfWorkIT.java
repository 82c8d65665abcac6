package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.testsupport.Altcha;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A waiting room that prices each place in proof of work, through nginx and on each of the four instances: a solved
 * challenge joins (again: the same place), every other proof is refused with a 403 naming why and joins nobody, a
 * sale without one joins as before, and a restored sale keeps its price.
 */
@ExtendWith(SharedCluster.class)
class ProofOfWorkIT {

    /** Small, so that solving takes the test milliseconds; the checks do not depend on the size. */
    private static final long WORK = 5_000;

    private static final Duration CATCH_UP = Duration.ofSeconds(15);

    @Test
    void joinsWithASolvedChallengeAndRefusesEveryOtherProofJoiningNobody(Cluster cluster) {
        Api api = cluster.nginx();
        String event = openPriced(api, Deployments.newEventId("pow"));
        String other = openPriced(api, Deployments.newEventId("pow-other"));
        assertEquals(WORK, api.eventStatus(event).data().getJsonObject("queue").getInt("proofOfWork"));
        assertEquals(
                WORK, api.queueState(event).data().getInt("proofOfWork"), "the shared state says what a join costs");

        Api.Answer asked = api.challenge(event, "alice");
        assertEquals(200, asked.status(), asked.body());
        assertEquals(1, asked.code());
        JsonObject challenge = asked.data();
        assertEquals("SHA-256", challenge.getString("algorithm"));
        assertEquals(WORK, challenge.getInt("maxnumber"));
        assertTrue(
                challenge.getString("salt").matches("[0-9a-f]{24}\\?expires=\\d+&event=" + event + "&buyer=alice&"),
                challenge.toString());
        long expires = Long.parseLong(challenge.getString("salt").replaceAll(".*expires=(\\d+)&.*", "$1"));
        long inSeconds = expires - System.currentTimeMillis() / 1000;
        assertTrue(inSeconds > 590 && inSeconds <= 600, "it expires in ten minutes: " + inSeconds + " s");
        assertEquals("no-store", asked.header("Cache-Control"));
        assertNull(asked.header("X-Cache-Status"), "not a path nginx caches");
        assertNotEquals(
                challenge.getString("salt"),
                api.challenge(event, "alice").data().getString("salt"),
                "a new challenge every time: nothing kept it");

        long number = Altcha.solve(challenge);
        String bobs = Altcha.solved(api.challenge(event, "bob").data());
        String othersEvents = Altcha.solved(api.challenge(other, "alice").data());
        String signature = challenge.getString("signature");
        String forged = Altcha.payload(
                Json.createObjectBuilder(challenge)
                        .add("signature", (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1))
                        .build(),
                number);
        Map<String, String> refusals = new LinkedHashMap<>();
        refusals.put(
                "",
                "pow is required: this waiting room asks for a proof of work (solve GET /queue/" + event
                        + "/challenge, send its ALTCHA payload)");
        refusals.put(Altcha.payload(challenge, number + 1), "the proof of work's number does not solve its challenge");
        refusals.put(bobs, "the proof of work is another buyer's");
        refusals.put(othersEvents, "the proof of work is for another event");
        refusals.put(
                forged, "the proof of work's challenge is not one this service issued: its signature does not match");
        refusals.put(
                Base64.getEncoder().encodeToString("{\"number\":1}".getBytes(StandardCharsets.UTF_8)),
                "pow is not an ALTCHA payload: base64 of {\"algorithm\",\"challenge\",\"number\",\"salt\",\"signature\"}");
        // Every instance knows the price and the key: each refuses each of these.
        for (int i = 0; i <= Cluster.INSTANCES; i++) {
            Api through = i == 0 ? api : cluster.instance(i);
            refusals.forEach((pow, message) -> {
                Api.Answer refused = pow.isEmpty() ? through.join(event, "alice") : through.join(event, "alice", pow);
                assertEquals(403, refused.status(), refused.body());
                assertEquals(-403, refused.code());
                assertEquals(message, refused.json().getString("msg"));
            });
        }
        assertEquals(0, joined(api, event), "nobody joined");
        assertEquals(0, joined(api, other));

        String pow = Altcha.payload(challenge, number);
        Api.Answer first = api.join(event, "alice", pow);
        assertEquals(200, first.status(), first.body());
        assertEquals(1, first.code());
        String place = first.data().getString("place");
        assertEquals(1, Api.placeNumber(place));
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            Api.Answer again = cluster.instance(i).join(event, "ALICE", pow);
            assertEquals(200, again.status(), "instance-" + i + ": " + again.body());
            assertEquals(place, again.data().getString("place"), "the same solution again: the same place");
        }
        assertEquals(1, joined(api, event), "one place, however often she joined");
    }

    @Test
    void aSaleWithoutProofOfWorkJoinsAsBeforeAndSaysItNeedsNone(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("pow-off");
        Api.Answer opened = api.openQueuedSale(event, 10, 300, System.currentTimeMillis() + 600_000, 10, 60);
        assertEquals(200, opened.status(), opened.body());
        assertEquals(0, opened.data().getJsonObject("queue").getInt("proofOfWork"));
        assertEquals(0, api.queueState(event).data().getInt("proofOfWork"));

        Api.Answer joined = api.join(event, "carol");
        assertEquals(1, joined.code(), joined.body());
        assertEquals(1, joined(api, event));

        Api.Answer none = api.challenge(event, "carol");
        assertEquals(409, none.status(), none.body());
        assertEquals(-409, none.code());
        assertEquals(
                "event " + event + "'s waiting room asks for no proof of work: join without pow",
                none.json().getString("msg"));
        Api.Answer noRoom = api.challenge(Deployments.newEventId("pow-never"), "carol");
        assertEquals(404, noRoom.status(), noRoom.body());
        assertTrue(noRoom.json().getString("msg").endsWith("has no waiting room"), noRoom.body());
        Api.Answer nobody = api.get("queue/" + event + "/challenge");
        assertEquals(400, nobody.status(), nobody.body());
        assertEquals("userId is required", nobody.json().getString("msg"));
        Api.Answer posted = api.post("queue/" + event + "/challenge", Map.of("userId", "carol"));
        assertEquals(405, posted.status(), posted.body());
    }

    @Test
    void aRestoredSaleKeepsItsPriceOnEveryInstance(Cluster cluster) throws Exception {
        Api api = cluster.nginx();
        String event = openPriced(api, Deployments.newEventId("pow-restore"));
        await().atMost(CATCH_UP)
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(0, api.eventStatus(event).data().getInt("handoffLag")));
        try (Connection db = cluster.database();
                PreparedStatement query =
                        db.prepareStatement("SELECT queue_proof_of_work FROM ticket_sale WHERE event_id = ?")) {
            query.setString(1, event);
            try (ResultSet row = query.executeQuery()) {
                assertTrue(row.next());
                assertEquals(WORK, row.getLong(1), "the database keeps the price with the waiting room's settings");
            }
        }
        try (Jedis redis = cluster.redis()) {
            redis.del(EventKeys.of(event).all().toArray(String[]::new));
            redis.del(QueueKeys.of(event).all().toArray(String[]::new));
        }

        Api.Answer restored = api.admin("POST", event + "/restore", null, Api.ADMIN_TOKEN);

        assertEquals(200, restored.status(), restored.body());
        assertEquals(WORK, restored.data().getJsonObject("queue").getInt("proofOfWork"));
        // Whatever an instance knew of the lost sale, it reads the restored one's price: nobody joins without it.
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            Api.Answer refused = cluster.instance(i).join(event, "dora");
            assertEquals(403, refused.status(), "instance-" + i + ": " + refused.body());
        }
        assertEquals(0, joined(api, event));
        Api.Answer joined = api.join(
                event, "dora", Altcha.solved(api.challenge(event, "dora").data()));
        assertEquals(1, joined.code(), joined.body());
        assertEquals(1, joined(api, event));
    }

    private static String openPriced(Api api, String event) {
        Api.Answer opened = api.openQueuedSale(event, 10, 300, System.currentTimeMillis() + 600_000, 10, 60, WORK);
        assertEquals(200, opened.status(), opened.body());
        assertEquals(WORK, opened.data().getJsonObject("queue").getInt("proofOfWork"));
        return event;
    }

    private static int joined(Api api, String event) {
        return api.eventStatus(event).data().getJsonObject("queue").getInt("joined");
    }
}
