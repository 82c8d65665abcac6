package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** held.lua's face: the order a buyer already holds, read into a {@link Reservation}; never a reservation. */
final class HeldScript {

    static final LuaScript SCRIPT = LuaScript.load("held");

    private static final int HOLDS = -2;
    private static final int HOLDS_NONE = -1;
    private static final int NO_SUCH_SALE = -404;
    private static final int DELETED = -410;

    private final RedisClient redis;

    HeldScript(RedisClient redis) {
        this.redis = redis;
    }

    /** {@code ALREADY_HELD} with the buyer's order, or {@code SOLD_OUT} when they hold none. */
    CompletableFuture<Reservation> held(EventKeys keys, String buyerKey) {
        return redis.evalReplicatedAsync(SCRIPT, List.of(keys.stock(), keys.buyers(), keys.orders()), List.of(buyerKey))
                .thenApply(HeldScript::decode);
    }

    static Reservation decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return switch (ScriptReply.code(SCRIPT, reply)) {
            case HOLDS -> new Reservation(Reservation.Outcome.ALREADY_HELD, ScriptReply.order(SCRIPT, reply));
            case HOLDS_NONE -> Reservation.SOLD_OUT;
            case NO_SUCH_SALE -> Reservation.NO_SUCH_EVENT;
            case DELETED -> Reservation.DELETED;
            default -> throw ScriptReply.unexpected(SCRIPT, reply);
        };
    }
}
