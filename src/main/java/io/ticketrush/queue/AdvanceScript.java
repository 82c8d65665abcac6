package io.ticketrush.queue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** advance.lua: moves an event's waiting room on (freeze, digest, lapses, admissions, measured rate). */
final class AdvanceScript {

    private static final LuaScript SCRIPT = LuaScript.load("advance");

    enum Outcome {
        /** The event has no waiting room (any more). */
        NO_WAITING_ROOM,
        /** Before opensAt: nothing moves until then. */
        BEFORE_OPENING,
        /** Open: moved on as far as it could. */
        MOVED
    }

    /**
     * What the round found: the pre-queue's size ({@code frozen}, -1 until frozen), whether its digest is recorded,
     * the waiting room's generation, its rate and the rate measured, whether it is done (sold out for good, no
     * admission window open) and, before the opening, the milliseconds until it by Redis's clock.
     */
    record Reply(
            Outcome outcome,
            long frozen,
            boolean digestKnown,
            long gen,
            long rate,
            double measuredRate,
            boolean done,
            long millisToOpening) {

        /** Nothing left to do for the advancers: no waiting room, or done. */
        boolean finished() {
            return outcome == Outcome.NO_WAITING_ROOM || done;
        }
    }

    private AdvanceScript() {}

    static List<String> keys(String eventId) {
        QueueKeys keys = QueueKeys.of(eventId);
        return List.of(EventKeys.of(eventId).stock(), keys.queue(), keys.admits(), keys.admitInfo());
    }

    /** A round that records no digest. */
    static List<String> arguments() {
        return List.of("");
    }

    /** A round that records {@code digest}, the frozen pre-queue's of generation {@code gen}. */
    static List<String> arguments(String digest, long gen) {
        return List.of(digest, Long.toString(gen));
    }

    static Reply decode(Object reply) {
        List<?> values = (List<?>) reply;
        if ((Long) values.get(0) == 0) {
            return new Reply(Outcome.NO_WAITING_ROOM, -1, false, 0, 0, 0, false, 0);
        }
        boolean beforeOpening = values.size() > 7;
        return new Reply(
                beforeOpening ? Outcome.BEFORE_OPENING : Outcome.MOVED,
                (Long) values.get(1),
                (Long) values.get(2) == 1,
                Long.parseLong((String) values.get(3)),
                (Long) values.get(4),
                Double.parseDouble((String) values.get(5)),
                (Long) values.get(6) == 1,
                beforeOpening ? (Long) values.get(7) : 0);
    }

    static CompletableFuture<Reply> runAsync(RedisClient redis, String eventId) {
        return redis.evalReplicatedAsync(SCRIPT, keys(eventId), arguments()).thenApply(AdvanceScript::decode);
    }

    static Reply run(RedisClient redis, String eventId) {
        return decode(redis.evalReplicated(SCRIPT, keys(eventId), arguments()));
    }

    static Reply recordDigest(RedisClient redis, String eventId, String digest, long gen) {
        return decode(redis.evalReplicated(SCRIPT, keys(eventId), arguments(digest, gen)));
    }
}
