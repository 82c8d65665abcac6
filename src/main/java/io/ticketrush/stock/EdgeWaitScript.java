package io.ticketrush.stock;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import java.time.Duration;
import java.util.List;

/** edge-wait.lua: how long nginx may still be sharing a sold-out answer of the event, by Redis's clock. */
final class EdgeWaitScript {

    private static final LuaScript SCRIPT = LuaScript.load("edge-wait");

    private EdgeWaitScript() {}

    static List<String> keys(String eventId) {
        return List.of(EventKeys.of(eventId).stock());
    }

    /** The time left, zero when no shared answer may still be given. */
    static Duration decode(Object reply) {
        return Duration.ofMillis((Long) reply);
    }

    static Duration run(RedisClient redis, String eventId) {
        return decode(redis.eval(SCRIPT, keys(eventId), List.of()));
    }
}
