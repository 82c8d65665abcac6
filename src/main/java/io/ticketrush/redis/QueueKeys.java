package io.ticketrush.redis;

import java.util.List;

/**
 * The Redis keys of one event's waiting room, under the event's hash tag like its stock (so a script may touch
 * both): the queue's settings and counters, who holds which place, the public list of place hashes, the
 * admission batches, the places whose admission bought a ticket, and the lease on computing the pre-queue's
 * digest. docs/design.md describes each.
 */
public record QueueKeys(
        String queue, String places, String joins, String admits, String admitInfo, String used, String digestLease) {

    public static QueueKeys of(String eventId) {
        String prefix = EventKeys.prefix(eventId);
        return new QueueKeys(
                prefix + "queue",
                prefix + "places",
                prefix + "joins",
                prefix + "admits",
                prefix + "admitinfo",
                prefix + "used",
                prefix + "digestlease");
    }

    /**
     * The six keys in the order open.lua expects them after the event's own five. Not the digest lease: it expires
     * by itself within seconds, and names the generation it was taken for, so a reset need not remove it.
     */
    public List<String> all() {
        return List.of(queue, places, joins, admits, admitInfo, used);
    }
}
