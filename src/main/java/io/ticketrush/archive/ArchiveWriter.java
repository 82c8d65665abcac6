package io.ticketrush.archive;

import io.ticketrush.model.QueueSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes hand-off records to PostgreSQL, a batch per transaction. Writes are idempotent upserts keyed by order
 * id in which a status never moves back, so a redelivered or twice-claimed stream entry is harmless.
 *
 * <p>A batch of orders is one statement of fixed text whose seven parameters are arrays, one a column, unnested
 * into rows by PostgreSQL: the driver prepares it once per connection and binds seven values whatever the batch's
 * size, where seven parameters a row would make a new statement for every batch size.
 */
@ApplicationScoped
public class ArchiveWriter {

    // Rows of a sale that was reset since are dropped; a status moves on from RESERVED only, never back.
    private static final String UPSERT = "INSERT INTO ticket_order"
            + " (order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " SELECT v.order_id, v.event_id, v.user_id, v.status, v.expires_at, v.gen, v.updated_at"
            + " FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[])"
            + " AS v(order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " LEFT JOIN ticket_sale s ON s.event_id = v.event_id WHERE s.gen IS NULL OR v.gen >= s.gen"
            + " ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at"
            + " WHERE ticket_order.status = 'RESERVED' AND EXCLUDED.status <> 'RESERVED'";

    /** A concurrent reset of the same sales waits for this transaction, and this one for it. */
    private static final String LOCK_SALES =
            "SELECT gen FROM ticket_sale WHERE event_id = ANY (?::varchar[]) FOR SHARE";

    private static final String RESET_SALE = "INSERT INTO ticket_sale (event_id, gen, tickets, hold_ms,"
            + " queue_opens_at, queue_admit_per_second, queue_window_ms, queue_overbook, queue_proof_of_work)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO UPDATE"
            + " SET gen = EXCLUDED.gen, tickets = EXCLUDED.tickets, hold_ms = EXCLUDED.hold_ms,"
            + " queue_opens_at = EXCLUDED.queue_opens_at, queue_admit_per_second = EXCLUDED.queue_admit_per_second,"
            + " queue_window_ms = EXCLUDED.queue_window_ms, queue_overbook = EXCLUDED.queue_overbook,"
            + " queue_proof_of_work = EXCLUDED.queue_proof_of_work"
            + " WHERE EXCLUDED.gen >= ticket_sale.gen";

    private static final String DROP_OLDER = "DELETE FROM ticket_order WHERE event_id = ? AND gen < ?";

    @Inject
    OrderDatabase database;

    /** Writes a batch of hand-off records in one transaction: resets first, then one upsert for all orders. */
    public void write(List<HandoffRecord> records) {
        database.inTransaction(connection -> write(connection, records));
    }

    private static void write(Connection connection, List<HandoffRecord> records) throws SQLException {
        Map<String, HandoffRecord> latest = new LinkedHashMap<>();
        for (HandoffRecord record : records) {
            if (record.isReset()) {
                reset(connection, record);
            } else {
                latest.merge(record.orderId(), record, (old, now) -> now.rank() >= old.rank() ? now : old);
            }
        }
        if (latest.isEmpty()) {
            return;
        }
        int n = latest.size();
        String[] orderIds = new String[n];
        String[] eventIds = new String[n];
        String[] userIds = new String[n];
        String[] statuses = new String[n];
        Long[] expiries = new Long[n];
        Long[] gens = new Long[n];
        Long[] times = new Long[n];
        int i = 0;
        for (HandoffRecord record : latest.values()) {
            orderIds[i] = record.orderId();
            eventIds[i] = record.eventId();
            userIds[i] = record.userId();
            statuses[i] = record.status();
            expiries[i] = record.expiresAt();
            gens[i] = record.gen();
            times[i] = record.at();
            i++;
        }
        try (PreparedStatement lock = connection.prepareStatement(LOCK_SALES)) {
            lock.setArray(
                    1,
                    connection.createArrayOf(
                            "varchar",
                            latest.values().stream()
                                    .map(HandoffRecord::eventId)
                                    .distinct()
                                    .toArray(String[]::new)));
            lock.executeQuery().close();
        }
        try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            Object[][] columns = {orderIds, eventIds, userIds, statuses, expiries, gens, times};
            for (int c = 0; c < columns.length; c++) {
                Array column = connection.createArrayOf(c < 4 ? "varchar" : "bigint", columns[c]);
                upsert.setArray(c + 1, column);
            }
            upsert.executeUpdate();
        }
    }

    /**
     * Records the sale's new generation and settings (its waiting room's too), and drops the rows of its older
     * generations.
     */
    private static void reset(Connection connection, HandoffRecord record) throws SQLException {
        HandoffRecord.SaleRecord sale = record.sale();
        try (PreparedStatement insert = connection.prepareStatement(RESET_SALE)) {
            insert.setString(1, record.eventId());
            insert.setLong(2, record.gen());
            if (sale == null) {
                insert.setNull(3, Types.BIGINT);
                insert.setNull(4, Types.BIGINT);
            } else {
                insert.setLong(3, sale.tickets());
                insert.setLong(4, sale.holdMillis());
            }
            QueueSettings queue = sale == null ? null : sale.queue();
            if (queue == null) {
                insert.setNull(5, Types.BIGINT);
                insert.setNull(6, Types.BIGINT);
                insert.setNull(7, Types.BIGINT);
                insert.setNull(8, Types.DOUBLE);
                insert.setNull(9, Types.BIGINT);
            } else {
                insert.setLong(5, queue.opensAt());
                insert.setLong(6, queue.admitPerSecond());
                insert.setLong(7, queue.windowMillis());
                insert.setDouble(8, queue.overbook());
                insert.setLong(9, queue.proofOfWork());
            }
            insert.executeUpdate();
        }
        try (PreparedStatement drop = connection.prepareStatement(DROP_OLDER)) {
            drop.setString(1, record.eventId());
            drop.setLong(2, record.gen());
            drop.executeUpdate();
        }
    }
}
