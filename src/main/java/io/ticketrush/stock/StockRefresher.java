package io.ticketrush.stock;

import io.ticketrush.cluster.InstanceReport;
import io.ticketrush.cluster.Members;
import io.ticketrush.concurrent.PeriodicTask;
import io.ticketrush.redis.RedisUnavailableException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps local shares in step with Redis: every few hundred milliseconds it beats for this instance (see
 * {@link Members}, publishing its {@link InstanceReport}), reads the stock of each event this instance sells and lets
 * {@link LocalStock} re-open a used-up share or pick up a reset sale, and forgets the share of a sale that was
 * deleted, telling the rest of the instance to ({@link SaleDeleted}). Polling, unlike pub/sub, cannot miss a message
 * while Redis is away.
 */
@Singleton
@Startup
public class StockRefresher {

    private static final Logger LOG = Logger.getLogger(StockRefresher.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @EJB
    LocalStock localStock;

    @Inject
    GlobalStock globalStock;

    @Inject
    Members members;

    @Inject
    InstanceReport report;

    @Inject
    Event<SaleDeleted> deletions;

    @Inject
    @ConfigProperty(name = "stock.refresh-ms")
    long refreshMillis;

    private PeriodicTask task;
    private final Set<String> lost = ConcurrentHashMap.newKeySet();

    @PostConstruct
    void start() {
        if (members.ttlMillis() <= refreshMillis) {
            throw new IllegalStateException(
                    "cluster.member-ttl-ms (" + members.ttlMillis() + ") must be longer than stock.refresh-ms ("
                            + refreshMillis + "): an instance beats once per refresh");
        }
        task = PeriodicTask.start(
                scheduler,
                refreshMillis,
                LOG,
                new PeriodicTask.Wording(
                        "Cannot refresh local shares: ",
                        "Redis is back; local shares follow it again",
                        "Refreshing local shares failed"),
                RedisUnavailableException::outage,
                this::refresh);
    }

    @PreDestroy
    void stop() {
        task.stop();
        try {
            members.leave();
        } catch (RuntimeException e) {
            // Redis away or already closed: the heartbeat runs out by itself.
            LOG.fine(() -> "Could not leave the members: " + e);
        }
    }

    void refresh() {
        Map<String, Integer> permits = localStock.permitsLeft();
        localStock.alive(members.beat(report.json(permits)));
        Set<String> selling = permits.keySet();
        Map<String, EventStatus> statuses = globalStock.statuses(selling);
        localStock.updateAll(statuses.values());
        Set<String> missing = new TreeSet<>(selling);
        missing.removeAll(statuses.keySet());
        lost.retainAll(missing);
        Set<String> deleted = globalStock.deleted(missing);
        for (String eventId : missing) {
            if (deleted.contains(eventId)) {
                // An operator deleted the sale: there is no such event any more, here either.
                localStock.forget(eventId);
                deletions.fire(new SaleDeleted(eventId));
                lost.remove(eventId);
            } else if (lost.add(eventId)) {
                // No tombstone: Redis lost the data. Purchases of it answer 503 until it is restored or opened again.
                LOG.warning("Redis no longer has event " + eventId + ", which this instance was selling: "
                        + "failover onto a server without the data, or a restart without persistence?");
            }
        }
    }
}
