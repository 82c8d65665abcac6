package io.ticketrush.queue;

import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;

/** queue-pause.lua: pauses or resumes admission in an event's waiting room. */
final class QueuePauseScript {

    private static final LuaScript SCRIPT = LuaScript.load("queue-pause");

    enum Outcome {
        DONE,
        NO_WAITING_ROOM
    }

    private QueuePauseScript() {}

    static List<String> keys(String eventId) {
        return List.of(QueueKeys.of(eventId).queue());
    }

    static List<String> arguments(boolean paused) {
        return List.of(paused ? "1" : "0");
    }

    static Outcome decode(Object reply) {
        return (Long) reply == 1 ? Outcome.DONE : Outcome.NO_WAITING_ROOM;
    }

    static Outcome run(RedisClient redis, String eventId, boolean paused) {
        return decode(redis.evalReplicated(SCRIPT, keys(eventId), arguments(paused)));
    }
}
