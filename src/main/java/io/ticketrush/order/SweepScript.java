package io.ticketrush.order;

import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.ArrayList;
import java.util.List;

/** sweep.lua's face: expires overdue reservations of many events in one round trip and reads what each sweep found. */
final class SweepScript {

    static final LuaScript SCRIPT = LuaScript.load("sweep");

    private static final int ACTIVE = 0;
    private static final int OVER = 1;
    private static final int GONE = 2;

    /** sweep.lua's last element: whether the instances have anything left to do with the sale. */
    enum SaleState {
        /** Tickets may still be reserved, expire or be paid, or hand-off entries wait. */
        ACTIVE,
        /** Every ticket is paid and every entry of its stream is in PostgreSQL. */
        OVER,
        /** Redis has no such sale (deleted, lost, or never opened) and nothing of its stream is left to hand off. */
        GONE
    }

    /**
     * What one sweep of one event did: {@code expired} reservations (as many tickets back on sale), and in how many
     * milliseconds a reservation may next run out ({@code -1} when Redis has no such sale).
     */
    record Sweep(long expired, long untilNextMillis, SaleState state) {

        /** Nothing is left for the instances to do with the sale until it is opened again. */
        boolean finished() {
            return state != SaleState.ACTIVE;
        }
    }

    private final RedisClient redis;

    SweepScript(RedisClient redis) {
        this.redis = redis;
    }

    /** Sweeps each event once, expiring at most {@code most} reservations of each; the sweeps in the same order. */
    List<Sweep> sweepAll(List<String> eventIds, int most) {
        List<RedisClient.ScriptCall> calls = new ArrayList<>(eventIds.size());
        for (String eventId : eventIds) {
            calls.add(new RedisClient.ScriptCall(
                    SCRIPT, EventKeys.of(eventId).all(), List.of(Integer.toString(most), OrderHandoff.GROUP)));
        }
        List<Object> replies = redis.evalEach(calls);
        List<Sweep> sweeps = new ArrayList<>(replies.size());
        replies.forEach(reply -> sweeps.add(decode(reply)));
        return sweeps;
    }

    Sweep sweep(String eventId, int most) {
        return sweepAll(List.of(eventId), most).get(0);
    }

    static Sweep decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        SaleState state = switch (Math.toIntExact(ScriptReply.number(SCRIPT, reply, 2))) {
            case ACTIVE -> SaleState.ACTIVE;
            case OVER -> SaleState.OVER;
            case GONE -> SaleState.GONE;
            default -> throw ScriptReply.unexpected(SCRIPT, reply);
        };
        return new Sweep(ScriptReply.number(SCRIPT, reply, 0), ScriptReply.number(SCRIPT, reply, 1), state);
    }
}
