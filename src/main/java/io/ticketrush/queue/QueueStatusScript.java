package io.ticketrush.queue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;

/** queue-status.lua: one consistent reading of an event's waiting room and its sale's stock. */
final class QueueStatusScript {

    private static final LuaScript SCRIPT = LuaScript.load("queue-status");

    enum Outcome {
        QUEUED,
        /** The sale has no waiting room, or there is no sale. */
        NO_WAITING_ROOM
    }

    /**
     * What the script read: the waiting room ({@code status}, null without one), and the sale's generation (0 when
     * there is no sale), which is the waiting room's except after a restore.
     */
    record Reading(Outcome outcome, QueueStatus status, long saleGen) {}

    private QueueStatusScript() {}

    static List<String> keys(String eventId) {
        return List.of(EventKeys.of(eventId).stock(), QueueKeys.of(eventId).queue());
    }

    static Reading decode(String eventId, Object reply) {
        List<?> values = (List<?>) reply;
        if ((Long) values.get(0) == -404) {
            return new Reading(Outcome.NO_WAITING_ROOM, null, optionalNumber(values.get(1), 0));
        }
        QueueStatus status = new QueueStatus(
                eventId,
                number(values.get(1)),
                number(values.get(2)),
                number(values.get(3)),
                number(values.get(4)),
                Double.parseDouble((String) values.get(5)),
                "1".equals(values.get(6)),
                number(values.get(7)),
                optionalNumber(values.get(8), -1),
                text(values.get(9)),
                number(values.get(10)),
                number(values.get(11)),
                number(values.get(12)),
                text(values.get(13)) == null ? 0 : Double.parseDouble((String) values.get(13)),
                (String) values.get(14),
                (String) values.get(15),
                number(values.get(16)),
                number(values.get(17)),
                number(values.get(18)),
                number(values.get(19)),
                optionalNumber(values.get(21), 0));
        return new Reading(Outcome.QUEUED, status, number(values.get(20)));
    }

    static Reading read(RedisClient redis, String eventId) {
        return decode(eventId, redis.eval(SCRIPT, keys(eventId), List.of()));
    }

    private static long number(Object value) {
        return value instanceof Long l ? l : Long.parseLong((String) value);
    }

    private static long optionalNumber(Object value, long absent) {
        return text(value) == null ? absent : number(value);
    }

    private static String text(Object value) {
        return value == null || "".equals(value) ? null : (String) value;
    }
}
