package io.ticketrush.queue;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;

/** admission.lua: the admission of one place, once admission has reached its position. Writes nothing. */
final class AdmissionScript {

    private static final LuaScript SCRIPT = LuaScript.load("admission");

    enum Outcome {
        /** Admitted until {@code expiresAt}. */
        ADMITTED,
        /** Not yet: the pre-queue is not frozen. */
        PRE_QUEUE,
        /** Not yet: admission has not reached the position (or it is not known yet). */
        WAITING,
        /** Every ticket is paid: nothing can come back. */
        SOLD_OUT,
        /** The place's admission bought a ticket already. */
        USED,
        /** The place's admission window passed. */
        LAPSED,
        /** The place is of an earlier waiting room: the sale was reset or restored since. */
        EARLIER_SALE,
        NO_WAITING_ROOM
    }

    /** {@code expiresAt} for {@link Outcome#ADMITTED}; {@code reach} and {@code paused} while not yet. */
    record Reply(Outcome outcome, long expiresAt, long reach, boolean paused) {}

    private AdmissionScript() {}

    static List<String> keys(String eventId) {
        QueueKeys keys = QueueKeys.of(eventId);
        return List.of(EventKeys.of(eventId).stock(), keys.queue(), keys.admits(), keys.admitInfo(), keys.used());
    }

    /** Place {@code place} of generation {@code gen}, at {@code position} (null while the draw is not known). */
    static List<String> arguments(long gen, long place, Long position) {
        return List.of(Long.toString(gen), Long.toString(place), position == null ? "" : Long.toString(position));
    }

    static Reply decode(Object reply) {
        List<?> values = (List<?>) reply;
        long code = (Long) values.get(0);
        if (code == 1) {
            return new Reply(Outcome.ADMITTED, (Long) values.get(1), 0, false);
        }
        if (code == -3) {
            Outcome outcome = "PRE_QUEUE".equals(values.get(1)) ? Outcome.PRE_QUEUE : Outcome.WAITING;
            return new Reply(outcome, 0, (Long) values.get(2), "1".equals(values.get(3)));
        }
        Outcome outcome = code == -1
                ? Outcome.SOLD_OUT
                : code == -409
                        ? ("used".equals(values.get(1)) ? Outcome.USED : Outcome.LAPSED)
                        : code == -410 ? Outcome.EARLIER_SALE : code == -404 ? Outcome.NO_WAITING_ROOM : null;
        if (outcome == null) {
            throw new IllegalStateException("admission.lua answered " + reply);
        }
        return new Reply(outcome, 0, 0, false);
    }

    static Reply run(RedisClient redis, String eventId, long gen, long place, Long position) {
        return decode(redis.eval(SCRIPT, keys(eventId), arguments(gen, place, position)));
    }
}
