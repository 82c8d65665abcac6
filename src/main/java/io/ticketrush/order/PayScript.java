package io.ticketrush.order;

import io.ticketrush.order.Orders.Payment;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.List;

/** pay.lua's face: a payment's keys, and its reply read into a {@link Payment}. */
final class PayScript {

    static final LuaScript SCRIPT = LuaScript.load("pay");

    private static final int PAID = 1;
    private static final int HOLD_EXPIRED = -409;
    private static final int NO_SUCH_ORDER = -404;

    private final RedisClient redis;

    PayScript(RedisClient redis) {
        this.redis = redis;
    }

    Payment pay(String orderId, String eventId) {
        EventKeys keys = EventKeys.of(eventId);
        return decode(redis.evalReplicated(
                SCRIPT, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), List.of(orderId)));
    }

    static Payment decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return switch (ScriptReply.code(SCRIPT, reply)) {
            case PAID -> new Payment(Payment.Outcome.PAID, ScriptReply.order(SCRIPT, reply));
            case HOLD_EXPIRED -> new Payment(Payment.Outcome.HOLD_EXPIRED, ScriptReply.order(SCRIPT, reply));
            case NO_SUCH_ORDER -> new Payment(Payment.Outcome.NO_SUCH_ORDER, null);
            default -> throw ScriptReply.unexpected(SCRIPT, reply);
        };
    }
}
