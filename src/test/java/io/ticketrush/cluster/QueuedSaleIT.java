package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.fairness.FairnessVerifier;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.QueueBuyers;
import io.ticketrush.testsupport.QueueLedgerWatch;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A sale with a waiting room, end to end through nginx on the four instances: a crowd joins before the opening,
 * is shuffled, admitted within the stock and sells out exactly; the order checks out with the verifier; and every
 * token that is not the buyer's own, for this sale, now, is refused.
 */
@ExtendWith(SharedCluster.class)
class QueuedSaleIT {

    private static final int CONCURRENCY = 120;
    private static final Duration POLL = Duration.ofMillis(150);

    @Test
    void admitsAShuffledPreQueueWithinTheStockAndSellsExactlyItsTicketsToThoseAdmitted(Cluster cluster)
            throws Exception {
        Api api = cluster.nginx();
        int tickets = 500;
        int crowd = 5_000;
        // Long enough for the whole crowd to join first: measured on a sale of its own, plus a margin. (The sample
        // runs slower than the whole crowd will, on instances still warming up: more margin.)
        long joinMillis = measureJoins(api, crowd);
        String event = Deployments.newEventId("queued");
        long opensAt = System.currentTimeMillis() + Math.max(5_000, 115 * joinMillis / 100 + 3_000);
        Api.Answer opened = api.openQueuedSale(event, tickets, 600, opensAt, 250, 30);
        assertEquals(200, opened.status(), opened.body());
        String commitment = opened.data().getJsonObject("queue").getString("commitment");
        JsonObject before = api.fairness(event).data();
        assertEquals(commitment, before.getString("commitment"));
        assertTrue(before.isNull("seed") && before.isNull("frozen"), "nothing revealed before opening: " + before);

        QueueBuyers buyers = new QueueBuyers(api, event, "fan", crowd);
        long joinsStart = System.currentTimeMillis();
        buyers.join(0, crowd, CONCURRENCY);
        long joinsDone = System.currentTimeMillis();
        assertTrue(joinsDone < opensAt - 500, "every buyer joined before opensAt (" + (opensAt - joinsDone) + " ms)");
        Set<Long> places = new HashSet<>();
        for (QueueBuyers.Buyer buyer : buyers.all()) {
            assertEquals("PRE_QUEUE", buyer.joined.getString("state"), buyer.joined.toString());
            assertTrue(buyer.joined.isNull("position") && buyer.joined.isNull("ahead"), buyer.joined.toString());
            assertTrue(places.add(buyer.placeNumber), "one place per buyer: " + buyer);
        }
        assertEquals(crowd, places.size());
        assertTrue(places.stream().allMatch(p -> p >= 1 && p <= crowd), "places are numbered 1.." + crowd);
        // Joining again, in another spelling of the same id, gives the same place.
        for (QueueBuyers.Buyer buyer : buyers.all().subList(0, 50)) {
            Api.Answer again = api.join(event, " " + buyer.userId.toUpperCase(Locale.ROOT) + " ");
            assertEquals(buyer.place, again.data().getString("place"), "the same place for " + buyer);
        }
        QueueBuyers.Buyer early = buyers.all().get(0);
        assertEquals("PRE_QUEUE", api.admission(event, early.place).data().getString("state"));

        Pause.of(Duration.ofMillis(opensAt - System.currentTimeMillis() + 300));
        long lastPayment;
        List<JsonObject> readings;
        try (QueueLedgerWatch watch = new QueueLedgerWatch(api, event, Duration.ofMillis(100))) {
            // A tenth of those left ask for an admission after the sale is over; the rest trust the shared state.
            buyers.run(CONCURRENCY, POLL, 10, Duration.ofSeconds(90));
            readings = watch.readings();
        }
        System.out.printf(
                "[QueuedSaleIT] %d joins in %d ms (estimated %d); %d state polls, %d from nginx's cache;"
                        + " %d ledger readings%n",
                crowd,
                joinsDone - joinsStart,
                joinMillis,
                buyers.polls.get(),
                buyers.cachedPolls.get(),
                readings.size());
        assertEquals(0, buyers.outages.get(), "no request met an outage");
        assertTrue(readings.size() >= 20, "the ledger was read throughout: " + readings.size());
        assertTrue(
                buyers.cachedPolls.get() >= 0.8 * buyers.polls.get(),
                "the shared state came from nginx's cache: " + buyers.cachedPolls.get() + " of " + buyers.polls.get());

        // Exactly the tickets, each to one admitted buyer, who paid.
        List<QueueBuyers.Buyer> winners =
                buyers.all().stream().filter(b -> b.orderId != null).toList();
        assertEquals(tickets, winners.size(), "exactly the tickets were bought");
        assertEquals(tickets, winners.stream().map(b -> b.orderId).distinct().count(), "one order each");
        for (QueueBuyers.Buyer winner : winners) {
            assertTrue(winner.paid, winner.toString());
            assertEquals(1, winner.admissions.size(), "admitted once: " + winner);
        }
        lastPayment = winners.stream().mapToLong(b -> b.paidAt).max().orElseThrow();
        List<QueueBuyers.Buyer> losers =
                buyers.all().stream().filter(b -> b.orderId == null).toList();
        assertEquals(crowd - tickets, losers.size());
        long latest = 0;
        for (QueueBuyers.Buyer loser : losers) {
            assertTrue(loser.soldOutAt != 0 && loser.admissions.isEmpty(), "told sold out, never admitted: " + loser);
            long late = TimeUnit.NANOSECONDS.toMillis(loser.soldOutAt - lastPayment);
            assertTrue(late < 5_000, loser + " learned SOLD_OUT " + late + " ms after the last payment");
            latest = Math.max(latest, late);
        }
        System.out.printf(
                "[QueuedSaleIT] the last of %d buyers left learned SOLD_OUT %d ms after the last payment%n",
                losers.size(), latest);
        // Every admission batch was bought whole, so admission reached exactly positions 1..tickets.
        assertEquals(
                Set.copyOf(range(1, tickets)),
                winners.stream().map(b -> b.position).collect(Collectors.toSet()),
                "the buyers at positions 1.." + tickets + " bought, in the order the service drew");

        JsonObject status = api.eventStatus(event).data();
        assertEquals(tickets, status.getInt("paid"));
        assertEquals(0, status.getInt("reserved"));
        assertEquals(0, status.getInt("available"));
        JsonObject queue = status.getJsonObject("queue");
        assertEquals("SOLD_OUT", queue.getString("state"));
        assertEquals(crowd, queue.getInt("joined"));
        assertEquals(tickets, queue.getInt("bought"));
        assertEquals(tickets, queue.getInt("admitted"));
        assertEquals(0, queue.getInt("admittedUnused"));
        assertEquals(0, queue.getInt("lapsed"));
        assertEquals(0, queue.getInt("waiting"));
        assertEquals(crowd - tickets, queue.getInt("toldSoldOut"));
        QueueLedgerWatch.check(status);
        buyers.assertLedgerIsWhatBuyersWereTold(status);
        JsonObject shared = cluster.instance(1).queueState(event).data();
        assertEquals("SOLD_OUT", shared.getString("state"));
        // Joining again after the sale: the same place, its position, and the news.
        for (QueueBuyers.Buyer buyer : buyers.all().subList(0, 200)) {
            String place = buyer.place;
            JsonObject again = buyers.join(buyer);
            assertEquals(place, again.getString("place"));
            assertEquals("SOLD_OUT", again.getString("state"), again.toString());
            assertFalse(again.isNull("position"), again.toString());
        }
        assertTrue(shared.getBoolean("soldOut") && !shared.getBoolean("awaitingReturns"), shared.toString());

        buyers.assertEveryOrderIsAnAdmittedBuyers(cluster);
        assertTheVerifierFindsThePositionsTheBuyersWereTold(api, event, commitment, buyers);
    }

    @Test
    void answersTheSharedStateFromNginxsMicrocache(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("cached");
        api.openQueuedSale(event, 10, 60, System.currentTimeMillis() + 60_000, 10, 30);
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            api.queueState(event);
            Api.Answer second = api.queueState(event);
            assertEquals(200, second.status(), second.body());
            assertEquals("HIT", second.header("X-Cache-Status"), "a quick second poll is a cache hit");
            assertEquals("PRE_QUEUE", second.data().getString("state"));
        });
    }

    @Test
    void stopsAdmittingWhilePausedAndGoesOnWhenResumed(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("pause");
        // A sale beside it, never paused: its admissions going on show that admission ran while the other was
        // paused, so "nobody admitted" is the pause's doing, not a stalled advancer's.
        String beside = Deployments.newEventId("unpaused");
        long opensAt = System.currentTimeMillis() + 1_500;
        api.openQueuedSale(event, 100, 600, opensAt, 5, 60);
        api.openQueuedSale(beside, 100, 600, opensAt, 5, 60);
        List<String> places = joinAll(api, event, "p", 40);
        joinAll(api, beside, "b", 40);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(admitted(api, event) >= 3));

        Api.Answer paused = api.pauseQueue(event);
        assertEquals(200, paused.status(), paused.body());
        assertTrue(paused.data().getJsonObject("queue").getBoolean("paused"));
        long reach = admitted(api, event);
        long besideReach = admitted(api, beside);
        // Two seconds of admission at five a second.
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertTrue(admitted(api, beside) >= besideReach + 10, "the sale beside it admitted on"));
        assertEquals(reach, admitted(api, event), "nobody admitted while paused");
        JsonObject shared = cluster.instance(2).queueState(event).data();
        assertEquals("PAUSED", shared.getString("state"));
        assertTrue(shared.getBoolean("paused"));
        assertEquals(
                "PAUSED", api.eventStatus(event).data().getJsonObject("queue").getString("state"));
        Api.Answer waiting = api.admission(
                event,
                places.stream()
                        .filter(p -> position(api, event, p) > reach)
                        .findFirst()
                        .orElseThrow());
        assertEquals(-3, waiting.code(), waiting.body());
        assertEquals("PAUSED", waiting.data().getString("state"));
        assertTrue(waiting.data().getJsonObject("etaSeconds").isNull("max"), "no end in sight while paused");

        Api.Answer resumed = api.resumeQueue(event);
        assertEquals(200, resumed.status(), resumed.body());
        assertFalse(resumed.data().getJsonObject("queue").getBoolean("paused"));
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(admitted(api, event) > reach, "admitting again"));
        assertEquals("WAITING", cluster.instance(3).queueState(event).data().getString("state"));
        QueueLedgerWatch.check(api.eventStatus(event).data());
    }

    @Test
    void admitsTheNextPlacesWhenUnpaidHoldsExpireAndNeverLetsAUsedAdmissionBuyAgain(Cluster cluster) {
        Api api = cluster.nginx();
        Api direct = cluster.instance(1);
        String event = Deployments.newEventId("returns");
        api.openQueuedSale(event, 5, 2, System.currentTimeMillis() + 1_500, 100, 60);
        List<String> places = joinAll(api, event, "h", 12);
        Map<Long, String> byPosition = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (String place : places) {
                byPosition.put(position(api, event, place), place);
            }
            assertEquals(12, byPosition.size());
        });
        assertEquals(Set.copyOf(range(1, 12)), byPosition.keySet());

        // Positions 1..5 are admitted (5 tickets), reserve and never pay.
        Map<Long, String> firstAdmissions = new HashMap<>();
        for (long position = 1; position <= 5; position++) {
            String admission = admissionOf(api, event, byPosition.get(position));
            firstAdmissions.put(position, admission);
            Api.Answer order = api.buyAdmitted(event, buyerOf(byPosition.get(position)), admission);
            assertEquals(1, order.code(), order.body());
        }
        JsonObject held = direct.queueState(event).data();
        assertEquals(0, held.getInt("available"));
        assertTrue(
                held.getBoolean("awaitingReturns") && !held.getBoolean("soldOut"),
                "every ticket held, none paid: the queue waits for returns, it does not say sold out: " + held);
        assertEquals("WAITING", held.getString("state"));
        Api.Answer sixth = api.admission(event, byPosition.get(6L));
        assertEquals(-3, sixth.code(), "no admission for a ticket that is held: " + sixth.body());

        // The holds run out (2 s): their tickets come back, and with them admissions for positions 6..10.
        Map<Long, String> secondAdmissions = new HashMap<>();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
            for (long position = 6; position <= 10; position++) {
                Api.Answer answer = api.admission(event, byPosition.get(position));
                assertEquals(1, answer.code(), "position " + position + ": " + answer.body());
                secondAdmissions.put(position, answer.data().getString("admission"));
            }
        });
        assertEquals(-3, api.admission(event, byPosition.get(11L)).code(), "5 tickets, 5 admissions at a time");
        for (long position = 1; position <= 5; position++) {
            String buyer = buyerOf(byPosition.get(position));
            assertRefused(api.buyAdmitted(event, buyer, firstAdmissions.get(position)), "already used");
            assertRefused(api.admission(event, byPosition.get(position)), "already used");
        }

        for (long position = 6; position <= 10; position++) {
            Api.Answer order =
                    api.buyAdmitted(event, buyerOf(byPosition.get(position)), secondAdmissions.get(position));
            assertEquals(1, order.code(), order.body());
            assertEquals(1, api.pay(order.data().getString("orderId")).code());
        }
        JsonObject soldOut = direct.queueState(event).data();
        assertTrue(soldOut.getBoolean("soldOut") && !soldOut.getBoolean("awaitingReturns"), soldOut.toString());
        for (long position = 11; position <= 12; position++) {
            assertEquals(-1, api.admission(event, byPosition.get(position)).code(), "told sold out");
        }
        JsonObject status = api.eventStatus(event).data();
        assertEquals(5, status.getInt("paid"));
        JsonObject queue = status.getJsonObject("queue");
        assertEquals(
                List.of(12, 10, 10, 0, 0, 0, 2),
                List.of(
                        queue.getInt("joined"),
                        queue.getInt("admitted"),
                        queue.getInt("bought"),
                        queue.getInt("admittedUnused"),
                        queue.getInt("lapsed"),
                        queue.getInt("waiting"),
                        queue.getInt("toldSoldOut")),
                queue.toString());
        QueueLedgerWatch.check(status);
    }

    @Test
    void refusesAnAdmissionWhoseWindowHasPassedAndCountsItLapsed(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("lapse");
        api.openQueuedSale(event, 10, 600, System.currentTimeMillis() + 1_000, 100, 2);
        String place = api.join(event, "slow").data().getString("place");
        String admission = admissionOf(api, event, place);
        Pause.of(Duration.ofSeconds(3));

        assertRefused(api.buyAdmitted(event, "slow", admission), "expired");
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            JsonObject queue = api.eventStatus(event).data().getJsonObject("queue");
            assertEquals(
                    List.of(1, 1, 0, 1, 0),
                    List.of(
                            queue.getInt("joined"),
                            queue.getInt("admitted"),
                            queue.getInt("bought"),
                            queue.getInt("lapsed"),
                            queue.getInt("admittedUnused")),
                    queue.toString());
        });
        assertRefused(api.admission(event, place), "lapsed");
        assertEquals(10, api.eventStatus(event).data().getInt("available"), "nothing sold");
        QueueLedgerWatch.check(api.eventStatus(event).data());
    }

    @Test
    void refusesEveryAdmissionAndPlaceThatIsNotTheBuyersOwnForThisSale(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("forged");
        String other = Deployments.newEventId("other");
        long opensAt = System.currentTimeMillis() + 1_000;
        api.openQueuedSale(event, 10, 600, opensAt, 100, 60);
        api.openQueuedSale(other, 10, 600, opensAt, 100, 60);
        String alicePlace = api.join(event, "alice").data().getString("place");
        String bobPlace = api.join(event, "bob").data().getString("place");
        String aliceOtherPlace = api.join(other, "alice").data().getString("place");
        String alice = admissionOf(api, event, alicePlace);
        String bob = admissionOf(api, event, bobPlace);
        String aliceOther = admissionOf(api, other, aliceOtherPlace);

        assertRefused(api.buy(event, "alice"), "an admission is required");
        assertRefused(api.buyAdmitted(event, "alice", changeMac(alice)), "forged");
        assertRefused(
                api.buyAdmitted(
                        event,
                        "alice",
                        alice.substring(0, alice.indexOf('.') + 1)
                                + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[16])),
                "forged");
        assertRefused(api.buyAdmitted(event, "alice", alice.substring(0, alice.indexOf('.'))), "not a token");
        // A payload of one's own making, with a far deadline, signed with nothing the service knows.
        String[] fields = Api.tokenFields(alice);
        fields[6] = Long.toString(Long.MAX_VALUE / 2);
        String selfMade = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(String.join("|", fields).getBytes(StandardCharsets.UTF_8))
                + alice.substring(alice.indexOf('.'));
        assertRefused(api.buyAdmitted(event, "alice", selfMade), "forged");
        assertRefused(api.buyAdmitted(event, "bob", alice), "another buyer's");
        assertRefused(api.buyAdmitted(other, "alice", alice), "another event");
        assertRefused(api.buyAdmitted(event, "alice", alicePlace), "not an admission");
        assertRefused(api.admission(event, aliceOtherPlace), "another event");
        assertRefused(api.admission(event, changeMac(alicePlace)), "forged");
        assertRefused(api.admission(event, alice), "not a place");
        assertEquals(10, api.eventStatus(event).data().getInt("available"), "nothing sold to a bad token");

        assertEquals(1, api.buyAdmitted(event, "ALICE", alice).code(), "her own admission, in any spelling");
        assertEquals(1, api.buyAdmitted(event, "bob", bob).code());
        assertEquals(1, api.buyAdmitted(other, "alice", aliceOther).code());
        assertEquals(8, api.eventStatus(event).data().getInt("available"));
    }

    @Test
    void refusesAPlaceAndAnAdmissionOfTheSaleBeforeItWasReset(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("reset");
        api.openQueuedSale(event, 10, 600, System.currentTimeMillis() + 1_000, 100, 60);
        String oldPlace = api.join(event, "carol").data().getString("place");
        String oldAdmission = admissionOf(api, event, oldPlace);

        api.openQueuedSale(event, 10, 600, System.currentTimeMillis() + 1_000, 100, 60);
        assertRefused(api.admission(event, oldPlace), "earlier sale");
        String newPlace = api.join(event, "carol").data().getString("place");
        assertNotEquals(oldPlace, newPlace, "a new sale, a new place");
        assertEquals(1, Api.placeNumber(newPlace));
        assertRefused(api.admission(event, oldPlace), "earlier sale");
        // Refused from the first try (a purchase is never retried into a refusal); the reason names the earlier
        // sale once the instance that answers has followed the reset.
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Api.Answer answer = api.buyAdmitted(event, "carol", oldAdmission);
            assertError(answer, 403);
            return answer.json().getString("msg").contains("earlier sale");
        });
        String admission = admissionOf(api, event, newPlace);
        assertEquals(1, api.buyAdmitted(event, "carol", admission).code());
    }

    @Test
    void queuesLateJoinersInArrivalOrderWhenNobodyJoinedBeforeTheOpening(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("empty");
        api.openQueuedSale(event, 2, 600, System.currentTimeMillis() + 500, 100, 60);
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptions()
                .untilAsserted(() -> assertFalse(api.fairness(event).data().isNull("frozen")));
        JsonObject fairness = api.fairness(event).data();
        assertEquals(0, fairness.getJsonObject("frozen").getInt("size"), fairness.toString());
        assertFalse(fairness.isNull("seed"));

        List<String> places = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            Api.Answer joined = api.join(event, "late-" + i);
            assertNotNull(joined.header("X-Instance"), "every answer names its instance");
            JsonObject data = joined.data();
            assertEquals(i, data.getInt("position"), "arrival order behind an empty pre-queue: " + data);
            assertTrue(Set.of("WAITING", "ADMITTED").contains(data.getString("state")), data.toString());
            places.add(data.getString("place"));
        }
        for (int i = 1; i <= 2; i++) {
            String admission = admissionOf(api, event, places.get(i - 1));
            assertEquals(i, Long.parseLong(Api.tokenFields(admission)[5]));
            assertEquals(1, api.buyAdmitted(event, "late-" + i, admission).code());
        }
        Api.Answer third = api.admission(event, places.get(2));
        assertEquals(-3, third.code(), "2 tickets, both held: " + third.body());
        assertEquals(0, third.data().getInt("ahead"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int verified = FairnessVerifier.run(
                new String[] {api.base().toString(), event},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(0, verified, "the verifier accepts an empty pre-queue: " + out);
    }

    @Test
    void answersNotFoundForTheWaitingRoomOfASaleWithoutOne(Cluster cluster) {
        Api api = cluster.nginx();
        String plain = Deployments.newEventId("plain");
        api.openSale(plain, 10, 60);
        String never = Deployments.newEventId("never");
        for (String event : List.of(plain, never)) {
            assertError(api.join(event, "dave"), 404);
            assertError(api.queueState(event), 404);
            assertError(api.fairness(event), 404);
            assertError(api.pauseQueue(event), 404);
        }
        assertEquals(1, api.buy(plain, "dave").code(), "a sale without a waiting room sells as before");
    }

    @Test
    void answersBadRequestsToTheWaitingRoomWithAJsonErrorNeverA500(Cluster cluster) {
        Api api = cluster.nginx();
        String event = Deployments.newEventId("badq");
        api.openQueuedSale(event, 10, 60, System.currentTimeMillis() + 60_000, 10, 30);
        String place = api.join(event, "erin").data().getString("place");
        String q = "queue/" + event;

        assertError(api.post(q + "/join", Map.of()), 400);
        assertError(api.post(q + "/join", Map.of("userId", "")), 400);
        assertError(api.post(q + "/join", Map.of("userId", "no spaces inside")), 400);
        assertError(api.post(q + "/join", Map.of("userId", "x".repeat(65))), 400);
        assertError(api.post(q + "/join", Map.of("userId", "bad/slash")), 400);
        assertError(
                api.send(api.postRequest(q + "/join", Map.of())
                        .POST(HttpRequest.BodyPublishers.ofString("userId=a&userId=b"))),
                400);
        assertError(
                api.send(HttpRequest.newBuilder(api.base().resolve(q + "/join"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))),
                415);
        assertError(api.post("queue/bad!id/join", Map.of("userId", "erin")), 404);
        assertError(api.post("queue/" + "e".repeat(65) + "/join", Map.of("userId", "erin")), 404);
        assertError(api.get(q + "/join"), 405);
        assertError(api.get(q + "/admission"), 405);
        assertError(api.post(q, Map.of()), 405);
        assertError(api.post(q + "/fairness", Map.of()), 405);
        assertError(api.get(q + "/nope"), 404);
        assertError(api.get(q + "/join/more"), 404);
        for (String query : List.of(
                "count=0", "count=10001", "count=-1", "count=x", "from=0", "from=-5", "from=abc", "count=1&count=2")) {
            assertError(api.get(q + "/fairness?" + query), 400);
        }
        assertError(api.post(q + "/admission", Map.of()), 403);
        for (String garbage : List.of(
                "garbage",
                ".",
                "..",
                "a.b",
                place + "x",
                place.replace('.', '-'),
                "%%%.$$$",
                "x".repeat(600) + "." + "y".repeat(22))) {
            assertError(api.admission(event, garbage), 403);
        }
        assertError(
                api.send(api.postRequest(q + "/admission", Map.of())
                        .POST(HttpRequest.BodyPublishers.ofString("place=a&place=b"))),
                400);
        assertError(api.buyAdmitted(event, "erin", "garbage"), 403);
        assertEquals(1, api.join(event, "erin").code(), "still joining");
        assertEquals(place, api.join(event, "erin").data().getString("place"));
    }

    /** How long {@code crowd} joins take, from a sample of a tenth on a sale of its own, after a warm-up. */
    private static long measureJoins(Api api, int crowd) {
        String event = Deployments.newEventId("measure");
        api.openQueuedSale(event, 1, 60, System.currentTimeMillis() + 600_000, 1, 30);
        // Joins on instances that just started run at half speed until their code is compiled: warm them first.
        joinCrowd(api, event, "warm", crowd / 10);
        long start = System.nanoTime();
        joinCrowd(api, event, "m", crowd / 10);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) * 10;
    }

    private static void joinCrowd(Api api, String event, String prefix, int count) {
        List<Supplier<Api.Answer>> joins = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String user = prefix + "-" + i;
            joins.add(() -> api.join(event, user));
        }
        Crowd.run(joins, CONCURRENCY).forEach(answer -> assertEquals(1, answer.code(), answer.body()));
    }

    /**
     * Runs {@code FairnessVerifier} as a buyer would, in a JVM of its own from the compiled classes, and checks that
     * the position the service told each buyer is the verifier's for their place.
     */
    private static void assertTheVerifierFindsThePositionsTheBuyersWereTold(
            Api api, String event, String commitment, QueueBuyers buyers) throws IOException, InterruptedException {
        JsonObject fairness = api.fairness(event).data();
        assertEquals(commitment, fairness.getString("commitment"));
        assertEquals(buyers.all().size(), fairness.getJsonObject("frozen").getInt("size"));
        Path basedir = Path.of(System.getProperty("ticketrush.basedir", "."));
        Path order =
                Files.createDirectories(basedir.resolve("target/it-fairness")).resolve(event + ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath =
                basedir.resolve("target/classes") + File.pathSeparator + basedir.resolve("target/verifier-lib/*");
        Process verifier = new ProcessBuilder(
                        java,
                        "-cp",
                        classPath,
                        FairnessVerifier.class.getName(),
                        api.base().toString(),
                        event,
                        "--out",
                        order.toString(),
                        "--commitment",
                        commitment)
                .redirectErrorStream(true)
                .start();
        String output = new String(verifier.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verifier.waitFor(60, TimeUnit.SECONDS), "the verifier finished");
        assertEquals(0, verifier.exitValue(), "the verifier accepts the record: " + output);
        assertTrue(output.contains("verified"), output);
        Map<Long, Long> positionOfPlace = new HashMap<>();
        for (String line : Files.readAllLines(order, StandardCharsets.UTF_8)) {
            String[] parts = line.split(" ");
            positionOfPlace.put(Long.parseLong(parts[1]), Long.parseLong(parts[0]));
        }
        assertEquals(buyers.all().size(), positionOfPlace.size(), "one line per place");
        // Positions the service told: in the admission of each who bought, in a -3 answer to most who waited (not to
        // those who first asked after the sale was over).
        int told = 0;
        for (QueueBuyers.Buyer buyer : buyers.all()) {
            if (buyer.orderId != null) {
                assertEquals(
                        positionOfPlace.get(buyer.placeNumber),
                        buyer.position,
                        "the verifier's position for " + buyer + ", in the admission they bought with");
            }
            for (long position : buyer.positionsTold) {
                assertEquals(positionOfPlace.get(buyer.placeNumber), position, "the verifier's position for " + buyer);
            }
            told += buyer.positionsTold.isEmpty() ? 0 : 1;
        }
        System.out.printf(
                "[QueuedSaleIT] the verifier agrees with the position told to %d buyers while they waited"
                        + " and with the %d admissions%n",
                told, buyers.all().stream().filter(b -> b.orderId != null).count());
        assertTrue(told >= 1_000, "many buyers were told their position while waiting: " + told);
    }

    private static List<String> joinAll(Api api, String event, String prefix, int count) {
        List<String> places = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Api.Answer answer = api.join(event, prefix + "-" + i);
            assertEquals(1, answer.code(), answer.body());
            places.add(answer.data().getString("place"));
        }
        return places;
    }

    /** The admission of {@code place}, waiting for the queue to open and reach it. */
    private static String admissionOf(Api api, String event, String place) {
        String[] admission = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Api.Answer answer = api.admission(event, place);
            // Asked again only while told "not yet"; any other answer fails at once.
            assertTrue(answer.code() == 1 || answer.code() == -3, answer.body());
            admission[0] = answer.code() == 1 ? answer.data().getString("admission") : null;
            return admission[0] != null;
        });
        return admission[0];
    }

    /** The position of {@code place}, once the queue is open and the service knows it. */
    private static long position(Api api, String event, String place) {
        Api.Answer answer = api.admission(event, place);
        if (answer.code() == 1) {
            return Long.parseLong(Api.tokenFields(answer.data().getString("admission"))[5]);
        }
        assertEquals(-3, answer.code(), answer.body());
        assertFalse(answer.data().isNull("position"), "position known: " + answer.body());
        return answer.data().getJsonNumber("position").longValue();
    }

    private static long admitted(Api api, String event) {
        return api.eventStatus(event)
                .data()
                .getJsonObject("queue")
                .getJsonNumber("admitted")
                .longValue();
    }

    private static String buyerOf(String place) {
        return Api.tokenFields(place)[2];
    }

    /** The token with the first character of its MAC changed. */
    private static String changeMac(String token) {
        int at = token.indexOf('.') + 1;
        return token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
    }

    private static void assertRefused(Api.Answer answer, String why) {
        assertError(answer, 403);
        assertEquals(-403, answer.code(), answer.body());
        String msg = answer.json().getString("msg");
        assertTrue(msg.contains(why), "refused because " + why + ": " + msg);
    }

    /** A JSON error in the envelope: the status, its negative as the code, a message. */
    private static void assertError(Api.Answer answer, int status) {
        assertEquals(status, answer.status(), answer.body());
        JsonObject json = answer.json();
        assertEquals(-status, json.getInt("code"), answer.body());
        assertFalse(json.getString("msg").isBlank(), answer.body());
        assertNotNull(answer.header("X-Instance"), "the instance's answer, not nginx's: " + answer.body());
    }

    private static List<Long> range(long first, long last) {
        List<Long> values = new ArrayList<>();
        for (long v = first; v <= last; v++) {
            values.add(v);
        }
        return values;
    }
}
