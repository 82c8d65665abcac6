package io.ticketrush.order;

import io.ticketrush.model.Order;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.List;

/** order.lua's face: one order read from Redis with Redis's clock, or the sale's generation when Redis has none. */
final class OrderScript {

    static final LuaScript SCRIPT = LuaScript.load("order");

    private static final int FOUND = 1;
    private static final int NOT_IN_REDIS = -404;

    /**
     * The order, or null when Redis holds none; then {@code saleGen} is the sale's current generation (0 when Redis
     * has no sale), which an archived order must not be older than.
     */
    record Lookup(Order order, long saleGen) {}

    private final RedisClient redis;

    OrderScript(RedisClient redis) {
        this.redis = redis;
    }

    Lookup find(String orderId, String eventId) {
        EventKeys keys = EventKeys.of(eventId);
        return decode(redis.eval(SCRIPT, List.of(keys.orders(), keys.stock()), List.of(orderId)));
    }

    static Lookup decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return switch (ScriptReply.code(SCRIPT, reply)) {
            case FOUND -> new Lookup(ScriptReply.order(SCRIPT, reply), 0);
            case NOT_IN_REDIS -> new Lookup(null, ScriptReply.number(SCRIPT, reply, 1));
            default -> throw ScriptReply.unexpected(SCRIPT, reply);
        };
    }
}
