package io.ticketrush.queue;

import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;

/** digest-lease.lua: takes, or keeps, the lease on computing a frozen pre-queue's digest. */
final class DigestLeaseScript {

    private static final LuaScript SCRIPT = LuaScript.load("digest-lease");

    /** Where the caller stands with the lease on an event's digest. */
    enum Lease {
        /** The caller holds it: it computes. */
        HELD,
        /** Another instance holds it and is computing. */
        TAKEN,
        /** Nothing to compute: no waiting room, another generation, not frozen, or the digest recorded already. */
        NOTHING_TO_DO
    }

    private DigestLeaseScript() {}

    static List<String> keys(String eventId) {
        QueueKeys keys = QueueKeys.of(eventId);
        return List.of(keys.queue(), keys.digestLease());
    }

    /** For generation {@code gen}'s pre-queue, by {@code holder}, for {@code leaseMillis} unless renewed. */
    static List<String> arguments(long gen, String holder, long leaseMillis) {
        return List.of(Long.toString(gen), holder, Long.toString(leaseMillis));
    }

    static Lease decode(Object reply) {
        long code = (Long) reply;
        return code == 1 ? Lease.HELD : code == 0 ? Lease.TAKEN : Lease.NOTHING_TO_DO;
    }

    static Lease take(RedisClient redis, String eventId, long gen, String holder, long leaseMillis) {
        return decode(redis.eval(SCRIPT, keys(eventId), arguments(gen, holder, leaseMillis)));
    }
}
