package io.ticketrush.archive;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import java.util.ArrayList;
import java.util.List;

/** handoff-trim.lua's face: trims each event's stream below what its consumer group still needs, in one round trip. */
final class HandoffTrimScript {

    static final LuaScript SCRIPT = LuaScript.load("handoff-trim");

    private final RedisClient redis;

    HandoffTrimScript(RedisClient redis) {
        this.redis = redis;
    }

    /** Trims the stream of each event; returns how many entries went in all. */
    long trimAll(List<String> eventIds, String group) {
        List<RedisClient.ScriptCall> calls = new ArrayList<>(eventIds.size());
        for (String eventId : eventIds) {
            calls.add(new RedisClient.ScriptCall(SCRIPT, List.of(EventKeys.of(eventId).stream()), List.of(group)));
        }
        long removed = 0;
        for (Object reply : redis.evalEach(calls)) {
            removed += decode(reply);
        }
        return removed;
    }

    static long decode(Object reply) {
        if (reply instanceof Long removed) {
            return removed;
        }
        throw new IllegalStateException(SCRIPT.name() + ".lua answered " + reply);
    }
}
