package io.ticketrush.archive;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import io.ticketrush.model.QueueSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Reads of the orders PostgreSQL keeps: for ids whose Redis keys are gone, for a sale's counts, and for putting
 * back a sale Redis lost. Each answers 503 ({@link ArchiveUnavailableException}) when the database cannot.
 */
@ApplicationScoped
public class OrderArchive {

    private static final Logger LOG = Logger.getLogger(OrderArchive.class.getName());
    /** Holds a space, which no event or order id may (see Ids), so a warm-up read can never find anything. */
    private static final String WARM_UP_ID = "warm up";

    @Inject
    OrderDatabase database;

    private volatile boolean warmedUp;

    /** The archived order of generation {@code minGen} or later. */
    public Optional<Order> find(String orderId, long minGen) {
        return database.read(em -> Optional.ofNullable(em.find(ArchivedOrder.class, orderId))
                .filter(order -> order.gen() >= minGen)
                .map(order -> order.toOrder(System.currentTimeMillis())));
    }

    /** The event's orders in the database by status. */
    public Map<OrderStatus, Long> counts(String eventId) {
        return database.read(em -> {
            Map<OrderStatus, Long> counts = new EnumMap<>(OrderStatus.class);
            for (OrderStatus status : OrderStatus.values()) {
                counts.put(status, 0L);
            }
            List<Object[]> rows = em.createQuery(
                            "SELECT o.status, COUNT(o) FROM ArchivedOrder o"
                                    + " WHERE o.eventId = :event GROUP BY o.status",
                            Object[].class)
                    .setParameter("event", eventId)
                    .getResultList();
            for (Object[] row : rows) {
                counts.put(OrderStatus.valueOf((String) row[0]), (Long) row[1]);
            }
            return counts;
        });
    }

    /** Whether the database has ever had a sale of the event (one opened with the hand-off, whose opening reached it). */
    public boolean knows(String eventId) {
        return database.read(em -> !em.createNativeQuery("SELECT 1 FROM ticket_sale WHERE event_id = ?1")
                .setParameter(1, eventId)
                .setMaxResults(1)
                .getResultList()
                .isEmpty());
    }

    /**
     * The last sale of the event as the database holds it: its settings (its waiting room's too) and its orders
     * still standing (reserved or paid). Empty when the database never had the sale or it keeps no orders here.
     */
    public Optional<ArchivedSale> sale(String eventId) {
        return database.read(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> sales = em.createNativeQuery("SELECT gen, tickets, hold_ms, queue_opens_at,"
                            + " queue_admit_per_second, queue_window_ms, queue_overbook, queue_proof_of_work FROM ticket_sale"
                            + " WHERE event_id = ?1 AND tickets IS NOT NULL AND hold_ms IS NOT NULL")
                    .setParameter(1, eventId)
                    .getResultList();
            if (sales.isEmpty()) {
                return Optional.empty();
            }
            Object[] sale = sales.get(0);
            long gen = ((Number) sale[0]).longValue();
            List<Order> orders = em
                    .createQuery(
                            "SELECT o FROM ArchivedOrder o WHERE o.eventId = :event"
                                    + " AND o.gen = :gen AND o.status IN ('RESERVED', 'PAID')",
                            ArchivedOrder.class)
                    .setParameter("event", eventId)
                    .setParameter("gen", gen)
                    .getResultList()
                    .stream()
                    .map(ArchivedOrder::asStored)
                    .toList();
            QueueSettings queue = sale[3] == null
                    ? null
                    : new QueueSettings(
                            ((Number) sale[3]).longValue(),
                            ((Number) sale[4]).longValue(),
                            ((Number) sale[5]).longValue() / 1000,
                            ((Number) sale[6]).doubleValue(),
                            sale[7] == null ? 0 : ((Number) sale[7]).longValue());
            return Optional.of(new ArchivedSale(
                    eventId, gen, ((Number) sale[1]).longValue(), ((Number) sale[2]).longValue(), queue, orders));
        });
    }

    /**
     * Opens the persistence unit and runs each kind of read once, so that the first buyer or admin to read from
     * the database does not wait for it: on a cold JVM this takes seconds (nginx gives an instance 5). The
     * database being away is not an error here; the first real read tries again.
     */
    public void warmUp() {
        try {
            counts(WARM_UP_ID);
            find(WARM_UP_ID, 0);
        } catch (ArchiveUnavailableException e) {
            LOG.info(() -> "Order database not reachable at start (" + e.getCause() + "); reads will try again");
        } finally {
            warmedUp = true;
        }
    }

    /** True once {@link #warmUp()} has finished, whether or not the database answered. */
    public boolean warmedUp() {
        return warmedUp;
    }
}
