package io.ticketrush.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.QueueKeys;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;

/**
 * Buyers in a sale's waiting room, played as a client would: join, poll the state every buyer shares
 * ({@code GET /queue/{eventId}}, which nginx caches), ask for an admission only for a place whose position is not
 * known yet or that the shared state says is reached, then buy with it and pay. A request that meets an outage (a
 * broken connection, 502, 503, 504) is sent again after a pause, as clients do; anything else unexpected fails.
 * Given several instances, buyer i joins through instance i mod n and sends everything else to the next one, so
 * that every token an instance signs is checked by another.
 */
public final class QueueBuyers {

    private static final Duration OUTAGE_PAUSE = Duration.ofMillis(150);
    private static final Set<String> CACHED = Set.of("HIT", "UPDATING", "STALE");

    /** One buyer and everything the service told them. */
    public static final class Buyer {
        public final int index;
        public final String userId;
        /** Their place token (null until they join; written last, so a buyer with a place has the rest) and its number. */
        public volatile String place;

        public long placeNumber;
        /** The join's answer (state, position). */
        public JsonObject joined;
        /** Their position, once the service has said it. */
        public Long position;
        /** Every position the service reported to them (join answers and /admission's -3 answers). */
        public final List<Long> positionsTold = new ArrayList<>();
        /** Every admission token they were given (one, unless an answer was lost and they asked again). */
        public final List<String> admissions = new ArrayList<>();

        public String orderId;
        public boolean paid;
        /**
         * System.nanoTime() when their payment was answered, and when they learned that the sale was sold out (from
         * the shared state, confirmed by a -1 to their admission request).
         */
        public long paidAt;

        public long soldOutAt;

        Buyer(int index, String userId) {
            this.index = index;
            this.userId = userId;
        }

        public boolean done() {
            return paid || soldOutAt != 0;
        }

        @Override
        public String toString() {
            return userId + "[place " + placeNumber + ", position " + position + ", order " + orderId + "]";
        }
    }

    private final List<Api> apis;
    private final String event;
    private final List<Buyer> buyers = new ArrayList<>();
    /** Shared-state polls made, those nginx answered from its cache, and requests repeated after an outage. */
    public final AtomicInteger polls = new AtomicInteger();

    public final AtomicInteger cachedPolls = new AtomicInteger();
    public final AtomicInteger outages = new AtomicInteger();
    private final AtomicInteger bought = new AtomicInteger();
    /** Called with the number of tickets bought so far after each purchase (to provoke a fault mid-sale). */
    public volatile IntConsumer onPurchase = n -> {};

    public QueueBuyers(Api api, String event, String prefix, int count) {
        this(List.of(api), event, prefix, count);
    }

    public QueueBuyers(List<Api> apis, String event, String prefix, int count) {
        this.apis = List.copyOf(apis);
        this.event = event;
        for (int i = 0; i < count; i++) {
            buyers.add(new Buyer(i, prefix + "-" + i));
        }
    }

    public List<Buyer> all() {
        return Collections.unmodifiableList(buyers);
    }

    /** Joins buyers {@code from} (inclusive) to {@code to} (exclusive) on {@code concurrency} threads. */
    public void join(int from, int to, int concurrency) {
        List<Supplier<Void>> calls = new ArrayList<>();
        for (Buyer buyer : buyers.subList(from, to)) {
            calls.add(() -> {
                join(buyer);
                return null;
            });
        }
        Crowd.run(calls, concurrency);
    }

    /** Joins one buyer (again, keeping their place, when they joined before); the answer's data. */
    public JsonObject join(Buyer buyer) {
        JsonObject data = ok(() -> joinApi(buyer).join(event, buyer.userId), "join " + buyer.userId)
                .data();
        String place = data.getString("place");
        buyer.placeNumber = Api.placeNumber(place);
        buyer.joined = data;
        if (!data.isNull("position")) {
            told(buyer, data.getJsonNumber("position").longValue());
        }
        buyer.place = place;
        return data;
    }

    /**
     * Plays every joined buyer until each has paid for a ticket or learned that the sale is sold out: {@code threads}
     * threads, each polling the shared state for its share of the buyers every {@code pause}. Once the shared state
     * says sold out, every {@code confirmEvery}th buyer asks for an admission all the same and must be told -1; the
     * others take the shared state's word. Fails after {@code limit}.
     */
    public void run(int threads, Duration pause, int confirmEvery, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<Supplier<Void>> slices = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Buyer> slice = new ArrayList<>();
            for (int i = t; i < buyers.size(); i += threads) {
                slice.add(buyers.get(i));
            }
            Api poller = apis.get(t % apis.size());
            slices.add(() -> {
                play(poller, slice, pause, confirmEvery, deadline);
                return null;
            });
        }
        Crowd.run(slices, threads);
    }

    private void play(Api poller, List<Buyer> slice, Duration pause, int confirmEvery, long deadline) {
        while (slice.stream().anyMatch(b -> !b.done())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not every buyer was served in time; still waiting: "
                        + slice.stream().filter(b -> !b.done()).toList());
            }
            Api.Answer state = ok(() -> poller.queueState(event), "GET /queue/" + event);
            polls.incrementAndGet();
            if (CACHED.contains(String.valueOf(state.header("X-Cache-Status")))) {
                cachedPolls.incrementAndGet();
            }
            long reach = state.data().getJsonNumber("reach").longValue();
            // The moment these buyers' client learned from the shared state that nothing is left.
            long soldOutSince = state.data().getBoolean("soldOut") ? System.nanoTime() : 0;
            for (Buyer buyer : slice) {
                if (buyer.done() || buyer.place == null) {
                    // A buyer still joining (on another thread) is played once they have a place.
                    continue;
                }
                if (soldOutSince != 0
                        && buyer.index % confirmEvery != 0
                        && (buyer.position == null || buyer.position > reach)) {
                    buyer.soldOutAt = soldOutSince;
                } else if (buyer.position == null || buyer.position <= reach || soldOutSince != 0) {
                    step(buyer, soldOutSince);
                }
            }
            Pause.of(pause);
        }
    }

    /**
     * One admission request, and when it admits, the purchase and the payment. A buyer told sold out learned it
     * at {@code soldOutSince} when the shared state said so already (else 0).
     */
    private void step(Buyer buyer, long soldOutSince) {
        Api.Answer answer = ok(() -> api(buyer).admission(event, buyer.place), "admission of " + buyer);
        JsonObject data = answer.data();
        switch (answer.code()) {
            case -3 -> {
                assertTrue(Set.of("PRE_QUEUE", "WAITING", "PAUSED").contains(data.getString("state")), answer.body());
                if (!data.isNull("position")) {
                    told(buyer, data.getJsonNumber("position").longValue());
                    assertTrue(data.getJsonNumber("ahead").longValue() < buyer.position, answer.body());
                }
                if ("WAITING".equals(data.getString("state")) && !data.isNull("position")) {
                    // An ETA range: at the set rate at best, at the rate measured (once it is) at worst.
                    JsonObject eta = data.getJsonObject("etaSeconds");
                    assertTrue(
                            !eta.isNull("min")
                                    && (eta.isNull("max")
                                            || eta.getJsonNumber("max").longValue()
                                                    >= eta.getJsonNumber("min").longValue()),
                            answer.body());
                }
            }
            case -1 -> {
                assertEquals("SOLD_OUT", data.getString("state"), answer.body());
                buyer.soldOutAt = soldOutSince != 0 ? soldOutSince : System.nanoTime();
            }
            case 1 -> buy(buyer, data.getString("admission"));
            default -> throw new AssertionError("admission of " + buyer + ": " + answer.body());
        }
    }

    private void buy(Buyer buyer, String admission) {
        buyer.admissions.add(admission);
        long position = Long.parseLong(Api.tokenFields(admission)[5]);
        if (buyer.position == null) {
            buyer.position = position;
        }
        assertEquals(buyer.position, position, "the admission names the position " + buyer + " was told");
        Api.Answer order = ok(() -> api(buyer).buyAdmitted(event, buyer.userId, admission), "purchase of " + buyer);
        // -2: an earlier attempt reserved, but its answer was lost in an outage.
        assertTrue(order.code() == 1 || order.code() == -2, "an admitted buyer gets a ticket: " + order.body());
        buyer.orderId = order.data().getString("orderId");
        onPurchase.accept(bought.incrementAndGet());
        Api.Answer payment = ok(() -> api(buyer).pay(buyer.orderId), "payment of " + buyer);
        assertEquals(1, payment.code(), payment.body());
        assertEquals("PAID", payment.data().getString("status"), payment.body());
        buyer.paid = true;
        buyer.paidAt = System.nanoTime();
    }

    private static void told(Buyer buyer, long position) {
        buyer.positionsTold.add(position);
        if (buyer.position == null) {
            buyer.position = position;
        }
        assertEquals(buyer.position, position, "the position told to " + buyer + " never changes");
    }

    /** Every buyer joins again, in another spelling of their id, and is given the very same place. */
    public void assertEveryBuyerKeepsTheirPlace(int concurrency) {
        List<Supplier<Void>> calls = new ArrayList<>();
        for (Buyer buyer : buyers) {
            calls.add(() -> {
                String spelling = buyer.userId.toUpperCase(Locale.ROOT);
                Api.Answer again = ok(() -> api(buyer).join(event, spelling), "join again " + buyer);
                assertEquals(buyer.place, again.data().getString("place"), "the same place for " + buyer);
                return null;
            });
        }
        Crowd.run(calls, concurrency);
    }

    /**
     * What Redis holds matches what the buyers were told: one order per buyer answered one, each bought with that
     * buyer's one admission (the used-admission record names the order of the place's own buyer), no other order.
     */
    public void assertEveryOrderIsAnAdmittedBuyers(Cluster cluster) {
        try (Jedis redis = cluster.redis()) {
            assertEveryOrderIsAnAdmittedBuyers(redis);
        }
    }

    /** {@link #assertEveryOrderIsAnAdmittedBuyers(Cluster)} on the Redis server that holds the event's keys. */
    public void assertEveryOrderIsAnAdmittedBuyers(Jedis redis) {
        Map<String, Buyer> byKey = new HashMap<>();
        Map<Long, Buyer> byPlace = new HashMap<>();
        for (Buyer buyer : buyers) {
            byKey.put(buyer.userId.toLowerCase(Locale.ROOT), buyer);
            byPlace.put(buyer.placeNumber, buyer);
        }
        Map<String, String> holders = redis.hgetAll(EventKeys.of(event).buyers());
        Map<String, String> used = redis.hgetAll(QueueKeys.of(event).used());
        long winners = buyers.stream().filter(b -> b.orderId != null).count();
        assertEquals(winners, holders.size(), "Redis holds one order per buyer who was answered one");
        assertEquals(winners, redis.hlen(EventKeys.of(event).orders()), "and no other order");
        assertEquals(winners, used.size(), "one used admission per order");
        holders.forEach((key, orderId) -> {
            Buyer buyer = byKey.get(key);
            assertNotNull(buyer, "an order for " + key + ", who is not in the crowd");
            assertEquals(buyer.orderId, orderId, "the order Redis holds for " + buyer);
            assertFalse(buyer.admissions.isEmpty(), buyer + " bought with an admission");
        });
        used.forEach((place, orderId) -> assertEquals(
                byPlace.get(Long.parseLong(place)).orderId,
                orderId,
                "place " + place + "'s admission bought its own buyer's order"));
    }

    /**
     * The sale's ledger ({@code GET /admin/events/{id}}'s {@code queue}) is what these buyers were told, counted
     * from their answers: joined = their places, bought = admissions they used, lapsed = admissions they let pass,
     * waiting = places never reached (neither admitted nor told sold out), toldSoldOut = told sold out unadmitted.
     * Only for a sale these buyers alone joined.
     */
    public void assertLedgerIsWhatBuyersWereTold(JsonObject status) {
        long used = buyers.stream().filter(b -> b.orderId != null).count();
        long letPass = buyers.stream()
                .filter(b -> b.orderId == null && !b.admissions.isEmpty())
                .count();
        long toldSoldOut = buyers.stream()
                .filter(b -> b.admissions.isEmpty() && b.soldOutAt != 0)
                .count();
        long notReached = buyers.stream()
                .filter(b -> b.admissions.isEmpty() && b.soldOutAt == 0)
                .count();
        JsonObject queue = status.getJsonObject("queue");
        assertEquals(
                List.of((long) buyers.size(), used, letPass, notReached, toldSoldOut),
                List.of(
                        queue.getJsonNumber("joined").longValue(),
                        queue.getJsonNumber("bought").longValue(),
                        queue.getJsonNumber("lapsed").longValue(),
                        queue.getJsonNumber("waiting").longValue(),
                        queue.getJsonNumber("toldSoldOut").longValue()),
                "joined, bought, lapsed, waiting, told sold out: the ledger " + queue + " against the buyers' answers");
    }

    /** The instance buyer {@code buyer} joins through. */
    private Api joinApi(Buyer buyer) {
        return apis.get(buyer.index % apis.size());
    }

    /** The instance buyer {@code buyer} sends everything but the join to: the next one. */
    private Api api(Buyer buyer) {
        return apis.get((buyer.index + 1) % apis.size());
    }

    /** The 200 answer to {@code call}, sent again while it meets an outage. */
    private Api.Answer ok(Supplier<Api.Answer> call, String what) {
        for (int attempt = 0; ; attempt++) {
            Api.Answer answer = null;
            try {
                answer = call.get();
            } catch (RuntimeException brokenConnection) {
                // An outage, as a 503 is.
            }
            if (answer != null && !Set.of(502, 503, 504).contains(answer.status())) {
                assertEquals(200, answer.status(), what + ": " + answer.body());
                assertNotNull(answer.json().get("code"), what + ": " + answer.body());
                return answer;
            }
            outages.incrementAndGet();
            if (attempt == 400) {
                throw new AssertionError(what + ": no answer through an outage of a minute: "
                        + (answer == null ? "connection failed" : answer.body()));
            }
            Pause.of(OUTAGE_PAUSE);
        }
    }
}
