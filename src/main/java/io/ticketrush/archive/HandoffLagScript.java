package io.ticketrush.archive;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.List;

/** handoff-lag.lua's face: how far an event's hand-off to PostgreSQL lags behind its stream. */
final class HandoffLagScript {

    static final LuaScript SCRIPT = LuaScript.load("handoff-lag");

    /**
     * Entries of the stream not yet written to PostgreSQL: {@code pending} read by a consumer but not acknowledged,
     * {@code undelivered} read by none yet; both 0 when there is no stream or no group.
     */
    record Lag(long pending, long undelivered) {

        long total() {
            return pending + undelivered;
        }
    }

    private final RedisClient redis;

    HandoffLagScript(RedisClient redis) {
        this.redis = redis;
    }

    Lag lag(String eventId, String group) {
        return decode(redis.eval(SCRIPT, List.of(EventKeys.of(eventId).stream()), List.of(group)));
    }

    static Lag decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return new Lag(ScriptReply.number(SCRIPT, reply, 0), ScriptReply.number(SCRIPT, reply, 1));
    }
}
