package io.ticketrush.cluster;

import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.ScriptReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/** members-report.lua's face: every instance's heartbeat and last report, read into a {@link Members.Roll}. */
final class MembersReportScript {

    static final LuaScript SCRIPT = LuaScript.load("members-report");

    private final RedisClient redis;

    MembersReportScript(RedisClient redis) {
        this.redis = redis;
    }

    /** The roll; reports of instances gone for longer than {@code keepGoneMillis} are deleted on the way. */
    Members.Roll roll(long keepGoneMillis) {
        return decode(redis.eval(SCRIPT, Members.KEYS, List.of(Long.toString(keepGoneMillis))));
    }

    static Members.Roll decode(Object answer) {
        List<?> reply = ScriptReply.list(SCRIPT, answer);
        long now = ScriptReply.number(SCRIPT, reply, 0);
        Map<String, Boolean> alive = new HashMap<>();
        List<?> live = ScriptReply.array(SCRIPT, reply, 1);
        for (int i = 0; i < live.size(); i += 2) {
            alive.put(ScriptReply.text(SCRIPT, live, i), true);
        }
        Map<String, Long> weights = pairs(ScriptReply.array(SCRIPT, reply, 2), Long::parseLong);
        Map<String, String> reports = pairs(ScriptReply.array(SCRIPT, reply, 3), value -> value);
        Map<String, Members.Member> members = new TreeMap<>();
        for (String member : alive.keySet()) {
            members.put(member, new Members.Member(member, true, weights.get(member), null, null));
        }
        reports.forEach((member, value) -> {
            int space = value.indexOf(' ');
            Long beat = space > 0 ? Long.valueOf(value.substring(0, space)) : null;
            String report = space > 0 ? value.substring(space + 1) : null;
            members.put(
                    member, new Members.Member(member, alive.containsKey(member), weights.get(member), beat, report));
        });
        return new Members.Roll(now, new ArrayList<>(members.values()));
    }

    /** A flat {@code name, value, …} array (HGETALL's) by name. */
    private static <T> Map<String, T> pairs(List<?> flat, Function<String, T> parse) {
        Map<String, T> map = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put(ScriptReply.text(SCRIPT, flat, i), parse.apply(ScriptReply.text(SCRIPT, flat, i + 1)));
        }
        return map;
    }
}
