package io.ticketrush.order;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

import javax.sql.DataSource;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.Query;

/**
 * Orders made durable in PostgreSQL, through JPA. Writes are idempotent upserts keyed by order id in which a
 * status never moves back, so a redelivered or twice-claimed stream entry is harmless.
 */
@DataSourceDefinition(
        name = "java:app/jdbc/orders",
        className = "org.postgresql.ds.PGSimpleDataSource",
        user = "${MPCONFIG=db.user}",
        password = "${MPCONFIG=db.password}",
        minPoolSize = 0,
        maxPoolSize = 8,
        properties = {
            "serverName=${MPCONFIG=db.host}",
            "portNumber=${MPCONFIG=db.port}",
            "databaseName=${MPCONFIG=db.name}",
            // A stopped database refuses at once; the limits are for a slow one. Generous: while four JVMs boot
            // on two cores, a login can take seconds. The hand-off retries; the purchase path never waits here.
            "connectTimeout=10",
            "loginTimeout=10",
            "socketTimeout=30",
            "fish.payara.max-wait-time-in-millis=5000",
            "fish.payara.connection-creation-retry-attempts=0",
            // After the database restarts, pooled connections are dead: test each before use, drop them all.
            "fish.payara.is-connection-validation-required=true",
            "fish.payara.connection-validation-method=meta-data",
            "fish.payara.fail-all-connections=true"
        })
@ApplicationScoped
public class OrderArchive {

    private static final Logger LOG = Logger.getLogger(OrderArchive.class.getName());
    /** Holds a space, which no event or order id may (see Ids), so a warm-up read can never find anything. */
    private static final String WARM_UP_ID = "warm up";

    /** Every instance runs this on its first use of the database; the advisory lock keeps concurrent CREATEs from racing. */
    private static final List<String> SCHEMA = List.of(
            "SELECT pg_advisory_xact_lock(74101)",
            "CREATE TABLE IF NOT EXISTS ticket_sale (event_id varchar(64) PRIMARY KEY, gen bigint NOT NULL)",
            "CREATE TABLE IF NOT EXISTS ticket_order (order_id varchar(128) PRIMARY KEY,"
                    + " event_id varchar(64) NOT NULL, user_id varchar(64) NOT NULL, status varchar(10) NOT NULL,"
                    + " expires_at bigint NOT NULL, gen bigint NOT NULL, updated_at bigint NOT NULL)",
            "CREATE INDEX IF NOT EXISTS ticket_order_event_status ON ticket_order (event_id, status)",
            // The sale's settings, for restoring it; null for a sale whose orders never come here.
            "ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS tickets bigint",
            "ALTER TABLE ticket_sale ADD COLUMN IF NOT EXISTS hold_ms bigint");

    private static final String UPSERT_HEAD = "INSERT INTO ticket_order"
            + " (order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " SELECT v.order_id, v.event_id, v.user_id, v.status, v.expires_at, v.gen, v.updated_at FROM (VALUES ";
    // Rows of a sale that was reset since are dropped; a status moves on from RESERVED only, never back.
    private static final String UPSERT_TAIL = ") AS v(order_id, event_id, user_id, status, expires_at, gen, updated_at)"
            + " LEFT JOIN ticket_sale s ON s.event_id = v.event_id WHERE s.gen IS NULL OR v.gen >= s.gen"
            + " ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at"
            + " WHERE ticket_order.status = 'RESERVED' AND EXCLUDED.status <> 'RESERVED'";

    @Resource(lookup = "java:app/jdbc/orders")
    DataSource dataSource;

    private EntityManagerFactory factory;
    private volatile boolean warmedUp;

    @PreDestroy
    synchronized void close() {
        if (factory != null) {
            factory.close();
        }
    }

    /** Writes a batch of hand-off records in one transaction: resets first, then one upsert for all orders. */
    public void write(List<HandoffRecord> records) {
        inTransaction(em -> write(em, records));
    }

    private static void write(EntityManager em, List<HandoffRecord> records) {
        Map<String, HandoffRecord> latest = new LinkedHashMap<>();
        for (HandoffRecord record : records) {
            if (record.isReset()) {
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

    /**
     * The archived order of generation {@code minGen} or later, for ids whose Redis keys are gone; a 503 when
     * the database cannot answer.
     */
    public Optional<Order> find(String orderId, long minGen) {
        return read(em -> Optional.ofNullable(em.find(ArchivedOrder.class, orderId))
                .filter(order -> order.gen() >= minGen)
                .map(order -> order.toOrder(System.currentTimeMillis())));
    }

    /** The event's orders in the database by status; a 503 when the database cannot answer. */
    public Map<OrderStatus, Long> counts(String eventId) {
        return read(em -> {
            Map<OrderStatus, Long> counts = new EnumMap<>(OrderStatus.class);
            for (OrderStatus status : OrderStatus.values()) {
                counts.put(status, 0L);
            }
            List<Object[]> rows = em.createQuery("SELECT o.status, COUNT(o) FROM ArchivedOrder o"
                    + " WHERE o.eventId = :event GROUP BY o.status", Object[].class)
                    .setParameter("event", eventId).getResultList();
            for (Object[] row : rows) {
                counts.put(OrderStatus.valueOf((String) row[0]), (Long) row[1]);
            }
            return counts;
        });
    }

    /**
     * The last sale of the event as the database holds it, for putting it back into Redis after Redis lost it:
     * its settings and its orders still standing (reserved or paid). Empty when the database never had the sale
     * or it keeps no orders here; a 503 when the database cannot answer.
     */
    public Optional<ArchivedSale> sale(String eventId) {
        return read(em -> {
            @SuppressWarnings("unchecked")
            List<Object[]> sales = em.createNativeQuery("SELECT gen, tickets, hold_ms FROM ticket_sale"
                    + " WHERE event_id = ?1 AND tickets IS NOT NULL AND hold_ms IS NOT NULL")
                    .setParameter(1, eventId).getResultList();
            if (sales.isEmpty()) {
                return Optional.empty();
            }
            Object[] sale = sales.get(0);
            long gen = ((Number) sale[0]).longValue();
            List<Order> orders = em.createQuery("SELECT o FROM ArchivedOrder o WHERE o.eventId = :event"
                    + " AND o.gen = :gen AND o.status IN ('RESERVED', 'PAID')", ArchivedOrder.class)
                    .setParameter("event", eventId).setParameter("gen", gen).getResultList().stream()
                    .map(ArchivedOrder::asStored).toList();
            return Optional.of(new ArchivedSale(eventId, gen, ((Number) sale[1]).longValue(),
                    ((Number) sale[2]).longValue(), orders));
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

    private <T> T read(Function<EntityManager, T> query) {
        try {
            EntityManager em = factory().createEntityManager();
            try {
                return query.apply(em);
            } finally {
                em.close();
            }
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
    }

    private void inTransaction(Consumer<EntityManager> work) {
        inTransaction(factory(), work);
    }

    private static void inTransaction(EntityManagerFactory factory, Consumer<EntityManager> work) {
        EntityManager em = factory.createEntityManager();
        EntityTransaction transaction = em.getTransaction();
        try {
            transaction.begin();
            work.accept(em);
            transaction.commit();
        } finally {
            if (transaction.isActive()) {
                transaction.rollback();
            }
            em.close();
        }
    }

    /**
     * The persistence unit, created on first use together with the schema: logging in needs the database, and an
     * instance must start and sell without it. A failed login is not kept; the next call tries again. Reads and
     * writes both come through here, so none of them can run before the tables exist.
     */
    private synchronized EntityManagerFactory factory() {
        if (factory == null) {
            EntityManagerFactory created = Persistence.createEntityManagerFactory("orders", Map.of(
                    "eclipselink.persistencexml", "META-INF/orders-persistence.xml",
                    "jakarta.persistence.nonJtaDataSource", dataSource));
            try {
                inTransaction(created, OrderArchive::createSchema);
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
            factory = created;
        }
        return factory;
    }

    private static void createSchema(EntityManager em) {
        for (String statement : SCHEMA) {
            Query query = em.createNativeQuery(statement);
            if (statement.startsWith("SELECT")) {
                query.getSingleResult();
            } else {
                query.executeUpdate();
            }
        }
    }

    /** True when {@code failure} is the database being unreachable rather than a bug. */
    static boolean isDatabaseFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException || cause instanceof PersistenceException) {
                return true;
            }
        }
        return false;
    }

    private static RuntimeException unavailable(RuntimeException e) {
        if (isDatabaseFailure(e)) {
            return new ArchiveUnavailableException("order database unavailable", e);
        }
        return e;
    }
}
