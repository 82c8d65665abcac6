package io.ticketrush.queue;

import io.ticketrush.redis.QueueKeys;
import io.ticketrush.redis.RedisClient;
import java.util.List;
import java.util.Optional;

/**
 * The digest of a frozen pre-queue ({@link QueueDraw#digest}), read from Redis a page at a time by one instance
 * while the others wait: neither an instance's memory nor any one Redis command grows with the pre-queue. The
 * instance computing holds a lease (digest-lease.lua) and keeps it page by page; one that dies loses it within
 * the lease time, and the next instance to ask starts over.
 */
final class PreQueueDigest {

    private final RedisClient redis;
    private final int pageSize;
    private final long leaseMillis;
    private final String holder;

    /**
     * @param pageSize    at most this many place hashes read in one command ({@code queue.digest-page})
     * @param leaseMillis how long a lease lasts unless renewed ({@code queue.digest-lease-ms}); a page must take less
     * @param holder      this instance's name in the lease, unique to one run of one instance
     */
    PreQueueDigest(RedisClient redis, int pageSize, long leaseMillis, String holder) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("queue.digest-page must be at least 1: " + pageSize);
        }
        if (leaseMillis < 1) {
            throw new IllegalArgumentException("queue.digest-lease-ms must be at least 1: " + leaseMillis);
        }
        this.redis = redis;
        this.pageSize = pageSize;
        this.leaseMillis = leaseMillis;
        this.holder = holder;
    }

    /**
     * The digest of places 1..{@code size} of generation {@code gen}'s frozen pre-queue, when this instance holds
     * the lease and reads them all; empty when another instance is computing it, the digest is recorded already,
     * or the sale was reset meanwhile (the caller asks again on its next round, if there is still anything to do).
     */
    Optional<String> compute(String eventId, long gen, long size) {
        if (lease(eventId, gen) != DigestLeaseScript.Lease.HELD) {
            return Optional.empty();
        }
        String joins = QueueKeys.of(eventId).joins();
        QueueDraw.Digest digest = new QueueDraw.Digest();
        for (long from = 0; from < size; from += pageSize) {
            // Renewed before each further page: a holder that lost its lease (it stalled, another took over) stops.
            if (from > 0 && lease(eventId, gen) != DigestLeaseScript.Lease.HELD) {
                return Optional.empty();
            }
            long first = from;
            long last = Math.min(size, from + pageSize) - 1;
            List<String> page = redis.call(r -> r.lrange(joins, first, last));
            if (page.size() != last - first + 1) {
                // Only a reset removes places: the list is another sale's now, and so is the digest.
                return Optional.empty();
            }
            digest.add(page);
        }
        return Optional.of(digest.finish());
    }

    /** Takes or keeps the lease on the digest of generation {@code gen}'s pre-queue for another lease time. */
    DigestLeaseScript.Lease lease(String eventId, long gen) {
        return DigestLeaseScript.take(redis, eventId, gen, holder, leaseMillis);
    }
}
