package io.ticketrush.redis;

import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A set of event ids that every instance walks several times a second ({@value EventKeys#EVENTS}, the sales with
 * orders to sweep or hand off; {@code tr:queued}, the waiting rooms to move on), outside any event's slot and so
 * changed by single commands only. An event leaves it once its work is done, which only opening the sale again
 * undoes; opening adds it before and after the opening script, so that a removal racing with it never leaves a
 * sale on sale out of the set (see {@link #retire}).
 */
public final class EventSet {

    private final RedisClient redis;
    private final String key;

    public EventSet(RedisClient redis, String key) {
        this.redis = redis;
        this.key = key;
    }

    public Set<String> members() {
        return redis.call(r -> r.smembers(key));
    }

    public void add(String eventId) {
        redis.call(r -> r.sadd(key, eventId));
    }

    /**
     * Takes the event out, then asks {@code done} again: an opening may have added it just before the removal, in
     * which case {@code done} now says there is work again and it goes back in. If asking fails it goes back in too:
     * walking a finished sale once more costs little, leaving out one on sale would strand its work.
     */
    public void retire(String eventId, BooleanSupplier done) {
        redis.call(r -> r.srem(key, eventId));
        boolean stillDone = false;
        try {
            stillDone = done.getAsBoolean();
        } finally {
            if (!stillDone) {
                add(eventId);
            }
        }
    }
}
