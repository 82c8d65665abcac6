package io.ticketrush.stock;

import io.ticketrush.cluster.Members;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * This instance's local stock: one {@link EventShare} per event. It sheds load (when the share is gone the
 * answer is "sold out" with no network call); Redis stays the authority on what is sold. Concurrency is
 * bean-managed: the container takes no lock, each share is a {@link java.util.concurrent.Semaphore}.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
// Nothing here is transactional: without this every call on the hot path would begin and end a JTA transaction.
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class LocalStock {

    private static final Logger LOG = Logger.getLogger(LocalStock.class.getName());

    private static final Metadata PERMITS = Metadata.builder()
            .withName("ticketrush.local.permits")
            .withDescription("Permits of this instance's local share, per event")
            .build();

    private static final Metadata WEIGHT = Metadata.builder()
            .withName("ticketrush.cluster.weight")
            .withDescription("Total weight of the instances alive, which local shares are sized by")
            .build();

    private final ConcurrentMap<String, EventShare> shares = new ConcurrentHashMap<>();

    /** The weight of the instances alive as Redis last said, 0 until it has. */
    private volatile int aliveWeight;

    @Inject
    @ConfigProperty(name = "instance.weight")
    int weight;

    @Inject
    @ConfigProperty(name = "cluster.total-weight")
    int configuredTotalWeight;

    @Inject
    @ConfigProperty(name = "stock.buffer-percent")
    int bufferPercent;

    @Inject
    MetricRegistry metrics;

    @PostConstruct
    void registerWeightGauge() {
        if (metrics != null) {
            metrics.gauge(WEIGHT, this, LocalStock::totalWeight);
        }
    }

    /**
     * The instances alive changed, or did not: shares opened or re-opened from now on are sized by their weight.
     * Shares already open are left as they are; Redis decides every sale either way.
     */
    public void alive(Members.Alive alive) {
        int total = (int) Math.min(Integer.MAX_VALUE, Math.max(weight, alive.totalWeight()));
        int before = aliveWeight;
        aliveWeight = total;
        if (total != before) {
            LOG.info(() -> "Instances alive: " + Math.max(1, alive.instances()) + ", total weight " + total
                    + (before == 0 ? "" : " (was " + before + ")") + "; this instance's weight is " + weight);
        }
    }

    /** The total weight shares are sized by: the instances alive, or {@code cluster.total-weight} until known. */
    public int totalWeight() {
        int alive = aliveWeight;
        return alive > 0 ? alive : configuredTotalWeight;
    }

    /** The share of an event this instance has seen, or null. */
    public EventShare share(String eventId) {
        return shares.get(eventId);
    }

    /**
     * Brings the share in line with Redis: a new sale (different generation) or an event seen for the first
     * time gets a fresh share of what is available now; a used-up share re-opens when Redis has tickets again,
     * so no ticket is stranded by local bookkeeping; a share of a sale Redis says is sold out answers so.
     */
    public EventShare update(EventStatus status) {
        return shares.compute(status.eventId(), (eventId, share) -> {
            if (share == null) {
                registerGauge(eventId);
            }
            if (share == null || share.gen() != status.gen()) {
                if (share != null) {
                    share.retire();
                }
                return new EventShare(eventId, status.gen(), permitsFor(status.available()));
            }
            if (status.available() <= 0) {
                // Sold out as far as Redis now says, whatever permits are left here: nobody is told otherwise.
                if (!share.soldOut()) {
                    share.markSoldOut();
                }
            } else if (share.exhausted()) {
                int permits = permitsFor(status.available());
                LOG.fine(() -> "Re-opening " + eventId + " with " + permits + " permits");
                share.reopen(permits);
            }
            return share;
        });
    }

    /**
     * Drops the event's share (the sale was deleted): a request holding it is told so by {@link EventShare#retired},
     * and the event is no longer refreshed, reported or measured here.
     */
    public void forget(String eventId) {
        EventShare share = shares.remove(eventId);
        if (share != null) {
            share.retire();
            if (metrics != null) {
                metrics.remove(new MetricID(PERMITS.getName(), new Tag("event", eventId)));
            }
            LOG.info(() -> "Forgot the share of " + eventId + ": the sale was deleted");
        }
    }

    /** {@link #update} for each of {@code statuses}: one call into the container for a whole refresh. */
    public void updateAll(Collection<EventStatus> statuses) {
        statuses.forEach(this::update);
    }

    /** Every event this instance holds a share of, with its permits left. */
    public Map<String, Integer> permitsLeft() {
        Map<String, Integer> left = new TreeMap<>();
        shares.forEach((eventId, share) -> left.put(eventId, share.permitsLeft()));
        return left;
    }

    /** {@code ticketrush_local_permits{event="…"}}: what this instance may still sell before asking Redis. */
    private void registerGauge(String eventId) {
        // No registry outside a container (unit tests wire this class by hand).
        if (metrics != null) {
            metrics.gauge(PERMITS, this, stock -> stock.permitsLeftOf(eventId), new Tag("event", eventId));
        }
    }

    private int permitsLeftOf(String eventId) {
        EventShare share = shares.get(eventId);
        return share == null ? 0 : share.permitsLeft();
    }

    int permitsFor(long available) {
        return permitsFor(available, weight, totalWeight(), bufferPercent);
    }

    /**
     * ceil(available × weight / totalWeight) plus a buffer of {@code bufferPercent} of that (at least one),
     * never more than is available, and none when nothing is.
     */
    static int permitsFor(long available, int weight, int totalWeight, int bufferPercent) {
        if (available <= 0) {
            return 0;
        }
        long share = ceilDiv(available * weight, totalWeight);
        long buffer = Math.max(1, ceilDiv(share * bufferPercent, 100));
        return (int) Math.min(Integer.MAX_VALUE, Math.min(available, share + buffer));
    }

    private static long ceilDiv(long dividend, long divisor) {
        return -Math.floorDiv(-dividend, divisor);
    }
}
