package io.ticketrush.archive;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.RedisClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * This instance as one consumer of the hand-off streams' group: reads, claims and acknowledges entries of each
 * event's stream, at most a batch at a time. A stream without the group gets it here, whichever command found it
 * missing.
 */
final class HandoffConsumer {

    private static final Logger LOG = Logger.getLogger(HandoffConsumer.class.getName());

    private final RedisClient redis;
    private final String group;
    private final String consumer;
    private final int batch;
    private final long claimIdleMillis;

    HandoffConsumer(RedisClient redis, String group, String consumer, int batch, long claimIdleMillis) {
        this.redis = redis;
        this.group = group;
        this.consumer = consumer;
        this.batch = batch;
        this.claimIdleMillis = claimIdleMillis;
    }

    /**
     * The next entries of several events in one round trip, from where {@code from} says for each: this consumer's
     * own pending entries (id 0), or entries no consumer has seen yet ({@code >}).
     */
    Map<String, List<StreamEntry>> readAll(Map<String, StreamEntryID> from) {
        return redis.pipelined(pipeline -> {
            Map<String, Response<List<Map.Entry<String, List<StreamEntry>>>>> replies = new LinkedHashMap<>();
            from.forEach((eventId, id) -> replies.put(
                    eventId,
                    pipeline.xreadGroup(
                            group,
                            consumer,
                            XReadGroupParams.xReadGroupParams().count(batch),
                            Map.of(stream(eventId), id))));
            return () -> {
                Map<String, List<StreamEntry>> entries = new LinkedHashMap<>();
                replies.forEach((eventId, reply) ->
                        entries.put(eventId, orNoGroup(eventId, () -> entries(reply.get()))));
                return entries;
            };
        });
    }

    /** One event's next entries, from {@code from} as in {@link #readAll}. */
    List<StreamEntry> read(String eventId, StreamEntryID from) {
        return orNoGroup(
                eventId,
                () -> entries(redis.call(r -> r.xreadGroup(
                        group,
                        consumer,
                        XReadGroupParams.xReadGroupParams().count(batch),
                        Map.of(stream(eventId), from)))));
    }

    /**
     * Entries another consumer read but has not acknowledged for {@code claimIdleMillis}, of every event, now
     * this consumer's: that instance is presumed dead.
     */
    Map<String, List<StreamEntry>> claimAbandoned(List<String> events) {
        Map<String, List<StreamEntry>> claimed = redis.pipelined(pipeline -> {
            Map<String, Response<Map.Entry<StreamEntryID, List<StreamEntry>>>> replies = new LinkedHashMap<>();
            events.forEach(eventId -> replies.put(
                    eventId,
                    pipeline.xautoclaim(
                            stream(eventId),
                            group,
                            consumer,
                            claimIdleMillis,
                            new StreamEntryID(),
                            XAutoClaimParams.xAutoClaimParams().count(batch))));
            return () -> {
                Map<String, List<StreamEntry>> entries = new LinkedHashMap<>();
                replies.forEach((eventId, reply) -> entries.put(
                        eventId, orNoGroup(eventId, () -> reply.get().getValue())));
                return entries;
            };
        });
        claimed.forEach((eventId, entries) -> {
            if (!entries.isEmpty()) {
                LOG.info(() ->
                        consumer + " claimed " + entries.size() + " abandoned hand-off entries of " + stream(eventId));
            }
        });
        return claimed;
    }

    /** Marks entries of one event written, so that no consumer reads them again. */
    void acknowledge(String eventId, List<StreamEntry> entries) {
        StreamEntryID[] ids = entries.stream().map(StreamEntry::getID).toArray(StreamEntryID[]::new);
        redis.call(r -> r.xack(stream(eventId), group, ids));
    }

    private static String stream(String eventId) {
        return EventKeys.of(eventId).stream();
    }

    private static List<StreamEntry> entries(List<Map.Entry<String, List<StreamEntry>>> streams) {
        return streams == null || streams.isEmpty() ? List.of() : streams.get(0).getValue();
    }

    /**
     * The entries {@code command} got, or none when the stream has no group (Redis lost the keys, or nothing
     * opened the sale with one): the group is then created from the stream's beginning, so that no entry already
     * there is missed. Without a stream there is nothing to read, and none is made: a sale deleted a moment ago
     * must not get one back.
     */
    private List<StreamEntry> orNoGroup(String eventId, Supplier<List<StreamEntry>> command) {
        try {
            return command.get();
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("NOGROUP")) {
                throw e;
            }
        }
        try {
            redis.call(r -> r.xgroupCreate(stream(eventId), group, new StreamEntryID(), false));
        } catch (JedisDataException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            if (!message.startsWith("BUSYGROUP") && !message.contains("requires the key to exist")) {
                throw e;
            }
        }
        return List.of();
    }
}
