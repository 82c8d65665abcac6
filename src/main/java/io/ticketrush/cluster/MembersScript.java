package io.ticketrush.cluster;

import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.List;

/** members.lua's face: one instance's heartbeat (or its leaving), answered by the weight alive. */
final class MembersScript {

    static final LuaScript SCRIPT = LuaScript.load("members");

    /** The weight an instance beats with to leave now rather than when its heartbeat runs out. */
    static final int LEAVING = 0;
    /** The report a beat leaves as it was. */
    static final String NO_REPORT = "";

    private final RedisClient redis;

    MembersScript(RedisClient redis) {
        this.redis = redis;
    }

    Members.Alive beat(String instance, int weight, long ttlMillis, String report) {
        return decode(redis.eval(
                SCRIPT, Members.KEYS, List.of(instance, Integer.toString(weight), Long.toString(ttlMillis), report)));
    }

    static Members.Alive decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        return new Members.Alive(ScriptReply.number(SCRIPT, reply, 0), ScriptReply.number(SCRIPT, reply, 1));
    }
}
