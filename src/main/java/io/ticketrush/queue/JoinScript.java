package io.ticketrush.queue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** join.lua: gives buyers their places in an event's waiting room, or the places they already have. */
final class JoinScript {

    private static final LuaScript SCRIPT = LuaScript.load("join");

    /** A buyer joining: their key and the public hash of their place. */
    record Buyer(String buyerKey, String placeHash) {}

    enum Outcome {
        JOINED,
        NO_WAITING_ROOM
    }

    /**
     * One buyer's answer: their {@code place}, and the waiting room as the join found it: its generation, the
     * pre-queue's size ({@code frozen}, -1 until frozen), how far admission has reached, paused, sold out for good.
     */
    record Place(Outcome outcome, long place, long gen, long frozen, long reach, boolean paused, boolean soldOut) {}

    /** The answer to one call: the buyers' places in the order they were given, and what they share. */
    record Reply(
            Outcome outcome, List<Long> places, long gen, long frozen, long reach, boolean paused, boolean soldOut) {

        /** The answer of the {@code i}th buyer of the call. */
        Place place(int i) {
            return outcome == Outcome.NO_WAITING_ROOM
                    ? new Place(outcome, 0, 0, -1, 0, false, false)
                    : new Place(outcome, places.get(i), gen, frozen, reach, paused, soldOut);
        }
    }

    private JoinScript() {}

    static List<String> keys(String eventId) {
        QueueKeys keys = QueueKeys.of(eventId);
        return List.of(EventKeys.of(eventId).stock(), keys.queue(), keys.places(), keys.joins());
    }

    /** Two per buyer, in arrival order: buyer key, place hash. */
    static List<String> arguments(List<Buyer> buyers) {
        List<String> args = new ArrayList<>(2 * buyers.size());
        for (Buyer buyer : buyers) {
            args.add(buyer.buyerKey());
            args.add(buyer.placeHash());
        }
        return args;
    }

    static Reply decode(Object reply) {
        List<?> values = (List<?>) reply;
        if ((Long) values.get(0) == -404) {
            return new Reply(Outcome.NO_WAITING_ROOM, List.of(), 0, -1, 0, false, false);
        }
        List<Long> places = new ArrayList<>(values.size() - 6);
        places.add((Long) values.get(1));
        for (int i = 7; i < values.size(); i++) {
            places.add((Long) values.get(i));
        }
        return new Reply(
                Outcome.JOINED,
                places,
                Long.parseLong((String) values.get(2)),
                (Long) values.get(3),
                (Long) values.get(4),
                (Long) values.get(5) == 1,
                (Long) values.get(6) == 1);
    }

    static CompletionStage<Reply> run(RedisClient redis, String eventId, List<Buyer> buyers) {
        return redis.evalReplicatedAsync(SCRIPT, keys(eventId), arguments(buyers))
                .thenApply(JoinScript::decode);
    }
}
