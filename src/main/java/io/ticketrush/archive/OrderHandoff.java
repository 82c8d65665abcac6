package io.ticketrush.archive;

import io.ticketrush.concurrent.PeriodicTask;
import io.ticketrush.model.InstanceName;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.RedisClient;
import io.ticketrush.redis.RedisUnavailableException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import redis.clients.jedis.StreamEntryID;
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

    /** The consumer group every instance reads the hand-off streams in. */
    public static final String GROUP = "orders";

    private static final Logger LOG = Logger.getLogger(OrderHandoff.class.getName());
    /** Claim and trim are bookkeeping: every this many polls, not every poll. */
    private static final int HOUSEKEEPING_EVERY = 10;
    /**
     * An event whose stream had nothing new for this many polls in a row is read only every {@value #IDLE_EVERY}
     * polls until it has again: a deployment keeps every sale it ever ran, most of them long over.
     */
    private static final int IDLE_AFTER = 5;

    private static final int IDLE_EVERY = 10;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    RedisClient redis;

    @Inject
    OrderArchive archive;

    @Inject
    ArchiveWriter writer;

    /** This instance's name, its consumer name in the group. */
    @Inject
    InstanceName instance;

    @Inject
    @ConfigProperty(name = "handoff.poll-ms")
    long pollMillis;

    @Inject
    @ConfigProperty(name = "handoff.batch")
    int batch;

    @Inject
    @ConfigProperty(name = "handoff.claim-idle-ms")
    long claimIdleMillis;

    /** Events whose entries this consumer has all acknowledged: only new ones are read for them. */
    private final Set<String> caughtUp = ConcurrentHashMap.newKeySet();
    /** Polls in a row that found nothing new, by event. */
    private final Map<String, Integer> quiet = new ConcurrentHashMap<>();

    private long polls;
    private HandoffConsumer streams;
    private PeriodicTask task;
    private HandoffLagScript lagScript;
    private HandoffTrimScript trimScript;

    @PostConstruct
    void start() {
        lagScript = new HandoffLagScript(redis);
        trimScript = new HandoffTrimScript(redis);
        streams = new HandoffConsumer(redis, GROUP, instance.get(), batch, claimIdleMillis);
        // Off the deployment thread: an instance must start (and sell) while the database is away.
        scheduler.execute(archive::warmUp);
        task = PeriodicTask.start(
                scheduler,
                pollMillis,
                LOG,
                new PeriodicTask.Wording(
                        "Hand-off to PostgreSQL paused, entries wait in Redis: ",
                        "Hand-off to PostgreSQL resumed",
                        "Handing orders off to PostgreSQL failed"),
                OrderHandoff::outage,
                this::poll);
    }

    @PreDestroy
    void stop() {
        task.stop();
    }

    /**
     * One round trip reads the next entries of every event's stream (an event whose entries this consumer may
     * hold unacknowledged, after a failure or at start, has those read again first; an idle one only now and
     * then); each event's are then written
     * and acknowledged, and an event with a full batch is drained further. Every {@value #HOUSEKEEPING_EVERY} polls,
     * entries abandoned by dead consumers are claimed and the streams trimmed, again one round trip each.
     */
    void poll() {
        List<String> events = List.copyOf(redis.call(r -> r.smembers(EventKeys.EVENTS)));
        // Sales that left the set (over, deleted) are not read again: forget what was kept of them.
        caughtUp.retainAll(events);
        quiet.keySet().retainAll(events);
        if (events.isEmpty()) {
            return;
        }
        boolean housekeeping = ++polls % HOUSEKEEPING_EVERY == 0;
        Map<String, List<StreamEntry>> read = readAll(events);
        Map<String, List<StreamEntry>> claimed = housekeeping ? streams.claimAbandoned(events) : Map.of();
        // What was read is this consumer's to acknowledge: until it has, the event is not caught up.
        read.forEach((eventId, entries) -> {
            if (!entries.isEmpty()) {
                caughtUp.remove(eventId);
            }
        });
        claimed.forEach((eventId, entries) -> {
            if (!entries.isEmpty()) {
                caughtUp.remove(eventId);
            }
        });
        for (String eventId : events) {
            List<StreamEntry> entries = read.getOrDefault(eventId, List.of());
            if (!claimed.getOrDefault(eventId, List.of()).isEmpty()) {
                entries = new ArrayList<>(entries);
                entries.addAll(claimed.get(eventId));
            }
            int written = write(eventId, entries);
            while (written >= batch) {
                // A full batch: more is waiting, keep going before the next event.
                written = write(eventId, streams.read(eventId, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            }
        }
        if (housekeeping) {
            trimScript.trimAll(events, GROUP);
        }
    }

    /**
     * Each event's next entries: those this consumer read but did not acknowledge when it may have some, else
     * entries no consumer has seen yet. An event found with none of its own pending is read for new entries from
     * then on.
     */
    private Map<String, List<StreamEntry>> readAll(List<String> events) {
        boolean everyone = polls % IDLE_EVERY == 0;
        Map<String, StreamEntryID> from = new LinkedHashMap<>();
        for (String eventId : events) {
            if (!everyone && caughtUp.contains(eventId) && quiet.getOrDefault(eventId, 0) >= IDLE_AFTER) {
                continue;
            }
            from.put(
                    eventId,
                    caughtUp.contains(eventId) ? StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY : new StreamEntryID());
        }
        Map<String, List<StreamEntry>> read = streams.readAll(from);
        for (String eventId : read.keySet()) {
            if (!caughtUp.contains(eventId) && read.get(eventId).isEmpty()) {
                caughtUp.add(eventId);
                read.put(eventId, streams.read(eventId, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
            }
            if (read.get(eventId).isEmpty()) {
                quiet.merge(eventId, 1, Integer::sum);
            } else {
                quiet.remove(eventId);
            }
        }
        return read;
    }

    /**
     * Writes an event's entries to PostgreSQL and acknowledges them; returns how many there were. When either
     * fails they stay pending for this consumer, which reads them again at its next poll.
     */
    private int write(String eventId, List<StreamEntry> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        caughtUp.remove(eventId);
        List<HandoffRecord> records = new ArrayList<>(entries.size());
        for (StreamEntry entry : entries) {
            records.add(HandoffRecord.of(eventId, entry.getID(), entry.getFields()));
        }
        writer.write(records);
        streams.acknowledge(eventId, entries);
        caughtUp.add(eventId);
        return entries.size();
    }

    /** What is away when the hand-off fails: Redis or PostgreSQL; null for a bug. */
    private static String outage(RuntimeException e) {
        String redisAway = RedisUnavailableException.outage(e);
        if (redisAway != null) {
            return "Redis: " + redisAway;
        }
        return OrderDatabase.isDatabaseFailure(e) ? "PostgreSQL: " + rootMessage(e) : null;
    }

    /** Entries of one event not yet written to PostgreSQL: read but unacknowledged, plus not yet read. */
    public long lag(String eventId) {
        return lagScript.lag(eventId, GROUP).total();
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
