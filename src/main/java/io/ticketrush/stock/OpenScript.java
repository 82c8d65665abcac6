package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.ArrayList;
import java.util.List;

/** open.lua: opens a sale, or resets it to a fresh one, with or without a waiting room, once per request id. */
public final class OpenScript {

    private static final LuaScript SCRIPT = LuaScript.load("open");

    /**
     * A new waiting room, as open.lua and restore.lua set it up: its settings, a fresh secret seed (hex) and the
     * seed's commitment. Built by the waiting room, which draws the seed.
     */
    public record QueueSetup(
            long opensAt,
            long admitPerSecond,
            long windowMillis,
            double overbook,
            String seed,
            String commitment,
            long proofOfWork) {

        /** The waiting room's seven arguments, in both scripts' order; all empty for a sale without one. */
        static List<String> arguments(QueueSetup queue) {
            if (queue == null) {
                return List.of("", "", "", "", "", "", "");
            }
            return List.of(
                    Long.toString(queue.opensAt),
                    Long.toString(queue.admitPerSecond),
                    Long.toString(queue.windowMillis),
                    Double.toString(queue.overbook),
                    queue.seed,
                    queue.commitment,
                    Long.toString(queue.proofOfWork));
        }
    }

    public enum Outcome {
        OPENED,
        /** The request id opened the sale before: nothing was done. */
        REPEATED,
        /** The request id was used for another request: nothing was done. */
        ID_REUSED
    }

    /** What open.lua answered: {@code gen} is the sale's generation (0 for {@link Outcome#ID_REUSED}). */
    record Reply(Outcome outcome, long gen) {}

    private OpenScript() {}

    /** The event's keys, its waiting room's, and the request's marker when there is a request id. */
    static List<String> keys(String eventId, RequestId request) {
        List<String> keys = new ArrayList<>(EventKeys.of(eventId).all());
        keys.addAll(QueueKeys.of(eventId).all());
        if (request != null) {
            keys.add(request.markerKey(eventId));
        }
        return keys;
    }

    /** {@code queue} null: no waiting room. With {@code handoff} false the orders never reach PostgreSQL. */
    static List<String> arguments(long tickets, long holdMillis, boolean handoff, QueueSetup queue, RequestId request) {
        List<String> args =
                new ArrayList<>(List.of(Long.toString(tickets), Long.toString(holdMillis), handoff ? "1" : "0"));
        if (queue != null || request != null) {
            args.addAll(QueueSetup.arguments(queue));
        }
        if (request != null) {
            args.addAll(List.of(request.fingerprint(), Long.toString(RequestId.KEEP_MILLIS)));
        }
        return args;
    }

    static Reply decode(Object reply) {
        List<?> values = (List<?>) reply;
        long code = (Long) values.get(0);
        if (code == 1 || code == 2) {
            return new Reply(code == 1 ? Outcome.OPENED : Outcome.REPEATED, (Long) values.get(1));
        }
        if (code == -422) {
            return new Reply(Outcome.ID_REUSED, 0);
        }
        throw new IllegalStateException("open.lua answered " + reply);
    }

    static Reply run(
            RedisClient redis,
            String eventId,
            long tickets,
            long holdMillis,
            boolean handoff,
            QueueSetup queue,
            RequestId request) {
        return decode(redis.evalReplicated(
                SCRIPT, keys(eventId, request), arguments(tickets, holdMillis, handoff, queue, request)));
    }
}
