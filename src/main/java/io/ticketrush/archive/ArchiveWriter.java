package io.ticketrush.archive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;

/**
 * Writes hand-off records to PostgreSQL, a batch per transaction. Writes are idempotent upserts keyed by order
 * id in which a status never moves back, so a redelivered or twice-claimed stream entry is harmless.
 */
@ApplicationScoped
public class ArchiveWriter {

    private static final String UPSERT_HEAD = "INSERT INTO ticket_order"
            + " (order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " SELECT v.order_id, v.event_id, v.user_id, v.status, v.expires_at, v.gen, v.updated_at FROM (VALUES ";
    // Rows of a sale that was reset since are dropped; a status moves on from RESERVED only, never back.
    private static final String UPSERT_TAIL = ") AS v(order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " LEFT JOIN ticket_sale s ON s.event_id = v.event_id WHERE s.gen IS NULL OR v.gen >= s.gen"
            + " ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at"
            + " WHERE ticket_order.status = 'RESERVED' AND EXCLUDED.status <> 'RESERVED'";

    @Inject
    OrderDatabase database;

    /** Writes a batch of hand-off records in one transaction: resets first, then one upsert for all orders. */
    public void write(List<HandoffRecord> records) {
        database.inTransaction(em -> write(em, records));
    }

    private static void write(EntityManager em, List<HandoffRecord> records) {
        Map<String, HandoffRecord> latest = new LinkedHashMap<>();
        for (HandoffRecord record : records) {
            if (record.isReset()) {
                reset(em, record);
            } else {
                latest.merge(record.orderId(), record, (old, now) -> now.rank() >= old.rank() ? now : old);
            }
        }
        if (latest.isEmpty()) {
            return;
        }
        // A concurrent reset of the same sale waits for this transaction, and this one for it.
        latest.values().stream().map(HandoffRecord::eventId).distinct().forEach(eventId ->
                em.createNativeQuery("SELECT gen FROM ticket_sale WHERE event_id = ?1 FOR SHARE")
                        .setParameter(1, eventId).getResultList());
        StringBuilder sql = new StringBuilder(UPSERT_HEAD);
        List<Object> values = new ArrayList<>();
        for (HandoffRecord record : latest.values()) {
            int n = values.size();
            sql.append(n == 0 ? "" : ", ").append(String.format(
                    "(CAST(?%d AS varchar), CAST(?%d AS varchar), CAST(?%d AS varchar), CAST(?%d AS varchar),"
                            + " CAST(?%d AS bigint), CAST(?%d AS bigint), CAST(?%d AS bigint))",
                    n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7));
            values.addAll(List.of(record.orderId(), record.eventId(), record.userId(), record.status(),
                    record.expiresAt(), record.gen(), record.at()));
        }
        Query upsert = em.createNativeQuery(sql.append(UPSERT_TAIL).toString());
        for (int i = 0; i < values.size(); i++) {
            upsert.setParameter(i + 1, values.get(i));
        }
        upsert.executeUpdate();
    }

    /** Records the sale's new generation and settings, and drops the rows of its older generations. */
    private static void reset(EntityManager em, HandoffRecord record) {
        HandoffRecord.SaleRecord sale = record.sale();
        em.createNativeQuery("INSERT INTO ticket_sale (event_id, gen, tickets, hold_ms)"
                        + " VALUES (?1, ?2, NULLIF(CAST(?3 AS bigint), -1), NULLIF(CAST(?4 AS bigint), -1))"
                        + " ON CONFLICT (event_id) DO UPDATE"
                        + " SET gen = EXCLUDED.gen, tickets = EXCLUDED.tickets, hold_ms = EXCLUDED.hold_ms"
                        + " WHERE EXCLUDED.gen >= ticket_sale.gen")
                .setParameter(1, record.eventId()).setParameter(2, record.gen())
                .setParameter(3, sale == null ? -1L : sale.tickets())
                .setParameter(4, sale == null ? -1L : sale.holdMillis()).executeUpdate();
        em.createNativeQuery("DELETE FROM ticket_order WHERE event_id = ?1 AND gen < ?2")
                .setParameter(1, record.eventId()).setParameter(2, record.gen()).executeUpdate();
    }
}
