package io.ticketrush.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.PeriodicTask;
import io.ticketrush.redis.RedisClient;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Moves orders from each event's Redis Stream into PostgreSQL. Every instance is a consumer of the group
 * {@value #GROUP}; an entry is acknowledged only after the database committed it, entries left pending by a
 * dead instance are claimed by the others, and the stream is trimmed only below what everyone acknowledged.
 * The purchase path never waits for any of this.
 */
@Singleton
@Startup
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class OrderHandoff {

    static final String GROUP = "orders";

    private static final Logger LOG = Logger.getLogger(OrderHandoff.class.getName());
    private static final LuaScript TRIM = LuaScript.load("handoff-trim");
    private static final LuaScript LAG = LuaScript.load("handoff-lag");
    /** Claim and trim are bookkeeping: every this many polls, not every poll. */
    private static final int HOUSEKEEPING_EVERY = 10;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    RedisClient redis;

    @Inject
    OrderArchive archive;

    @Inject
    ArchiveWriter writer;

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String consumer;

    @Inject
    @ConfigProperty(name = "handoff.poll-ms", defaultValue = "200")
    long pollMillis;

    @Inject
    @ConfigProperty(name = "handoff.batch", defaultValue = "500")
    int batch;

    @Inject
    @ConfigProperty(name = "handoff.claim-idle-ms", defaultValue = "5000")
    long claimIdleMillis;

    private final Map<String, Integer> polls = new ConcurrentHashMap<>();
    private PeriodicTask task;

    @PostConstruct
    void start() {
        // Off the deployment thread: an instance must start (and sell) while the database is away.
        scheduler.execute(archive::warmUp);
        task = PeriodicTask.start(scheduler, pollMillis, LOG, new PeriodicTask.Wording(
                "Hand-off to PostgreSQL paused, entries wait in Redis: ", "Hand-off to PostgreSQL resumed",
                "Handing orders off to PostgreSQL failed"), OrderHandoff::outage, this::poll);
    }

    @PreDestroy
    void stop() {
        task.stop();
    }

    void poll() {
        for (String eventId : redis.call(r -> r.smembers(EventKeys.EVENTS))) {
            while (drain(eventId) == batch) {
                // A full batch: more is waiting, keep going before the next event.
            }
        }
    }

    /** What is away when the hand-off fails: Redis or PostgreSQL; null for a bug. */
    private static String outage(RuntimeException e) {
        String redisAway = PeriodicTask.redisAway(e);
        if (redisAway != null) {
            return "Redis: " + redisAway;
        }
        return OrderDatabase.isDatabaseFailure(e) ? "PostgreSQL: " + rootMessage(e) : null;
    }

    /** Entries of one event not yet written to PostgreSQL: read but unacknowledged, plus not yet read. */
    public long lag(String eventId) {
        List<?> reply = (List<?>) redis.eval(LAG, List.of(EventKeys.of(eventId).stream()), List.of(GROUP));
        return (Long) reply.get(0) + (Long) reply.get(1);
    }

    /** Writes one batch of an event's entries and acknowledges them; returns how many there were. */
    private int drain(String eventId) {
        String stream = EventKeys.of(eventId).stream();
        List<StreamEntry> entries = read(stream, new StreamEntryID());
        if (entries.isEmpty()) {
            entries = read(stream, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
        }
        boolean housekeeping = polls.merge(eventId, 1, Integer::sum) % HOUSEKEEPING_EVERY == 0;
        if (housekeeping && entries.size() < batch) {
            entries = new ArrayList<>(entries);
            entries.addAll(claimAbandoned(stream));
        }
        if (!entries.isEmpty()) {
            List<HandoffRecord> records = new ArrayList<>(entries.size());
            for (StreamEntry entry : entries) {
                records.add(HandoffRecord.of(eventId, entry.getID(), entry.getFields()));
            }
            writer.write(records);
            StreamEntryID[] ids = entries.stream().map(StreamEntry::getID).toArray(StreamEntryID[]::new);
            redis.call(r -> r.xack(stream, GROUP, ids));
        }
        if (housekeeping) {
            redis.eval(TRIM, List.of(stream), List.of(GROUP));
        }
        return entries.size();
    }

    /** This consumer's own pending entries (id 0), or entries no consumer has seen yet ({@code >}). */
    private List<StreamEntry> read(String stream, StreamEntryID from) {
        try {
            var reply = redis.call(r -> r.xreadGroup(GROUP, consumer, XReadGroupParams.xReadGroupParams().count(batch),
                    Map.of(stream, from)));
            return reply == null || reply.isEmpty() ? List.of() : reply.get(0).getValue();
        } catch (JedisDataException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("NOGROUP")) {
                // The stream has no group (Redis lost the keys, or nothing opened the sale with one): start it
                // from the stream's beginning, so no entry already there is missed.
                createGroup(stream);
                return List.of();
            }
            throw e;
        }
    }

    /** Entries another consumer read but has not acknowledged for a while: that instance is presumed dead. */
    private List<StreamEntry> claimAbandoned(String stream) {
        var claimed = redis.call(r -> r.xautoclaim(stream, GROUP, consumer, claimIdleMillis, new StreamEntryID(),
                XAutoClaimParams.xAutoClaimParams().count(batch)));
        List<StreamEntry> entries = claimed.getValue();
        if (!entries.isEmpty()) {
            LOG.info(() -> consumer + " claimed " + entries.size() + " abandoned hand-off entries of " + stream);
        }
        return entries;
    }

    private void createGroup(String stream) {
        try {
            redis.call(r -> r.xgroupCreate(stream, GROUP, new StreamEntryID(), true));
        } catch (JedisDataException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
