package io.ticketrush.archive;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The order database: its data source, its persistence unit and its schema, all made on first use so that an
 * instance starts and sells while PostgreSQL is away. A failed login is not kept; the next call tries again.
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
public class OrderDatabase {

    /**
     * Applied in this order, every one of them on each instance's first use of the database: their statements
     * are idempotent, and a new version is a new file at the end.
     */
    static final List<String> SCHEMA = List.of(
            "db/V1__orders.sql", "db/V2__sale_settings.sql", "db/V3__queue_settings.sql", "db/V4__proof_of_work.sql");
    /** Keeps instances that start together from racing each other's CREATEs. */
    private static final String SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(74101)";

    @Resource(lookup = "java:app/jdbc/orders")
    DataSource dataSource;

    private EntityManagerFactory factory;

    @PreDestroy
    synchronized void close() {
        if (factory != null) {
            factory.close();
        }
    }

    /** Runs a read; the database being unreachable is an {@link ArchiveUnavailableException} (a 503). */
    <T> T read(Function<EntityManager, T> query) {
        try {
            EntityManager em = factory().createEntityManager();
            try {
                return query.apply(em);
            } finally {
                em.close();
            }
        } catch (RuntimeException e) {
            throw isDatabaseFailure(e) ? new ArchiveUnavailableException("order database unavailable", e) : e;
        }
    }

    /** JDBC work that a transaction wraps. */
    @FunctionalInterface
    interface Work {
        void run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} on a connection of the data source in one transaction, committed when it returns and
     * rolled back when it throws; a failure is an {@link ArchiveUnavailableException}. The schema is made first.
     */
    void inTransaction(Work work) {
        factory();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new ArchiveUnavailableException("order database unavailable: " + e.getMessage(), e);
        }
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
     * The persistence unit, created on first use together with the schema: logging in needs the database.
     * Reads and writes both come through here, so none of them can run before the tables exist.
     */
    private synchronized EntityManagerFactory factory() {
        if (factory == null) {
            EntityManagerFactory created = Persistence.createEntityManagerFactory(
                    "orders",
                    Map.of(
                            "eclipselink.persistencexml",
                            "META-INF/orders-persistence.xml",
                            "jakarta.persistence.nonJtaDataSource",
                            dataSource));
            try {
                inTransaction(created, OrderDatabase::createSchema);
            } catch (RuntimeException e) {
                created.close();
                throw e;
            }
            factory = created;
        }
        return factory;
    }

    private static void createSchema(EntityManager em) {
        em.createNativeQuery(SCHEMA_LOCK).getSingleResult();
        for (String file : SCHEMA) {
            for (String statement : statements(file)) {
                em.createNativeQuery(statement).executeUpdate();
            }
        }
    }

    /** The statements of a schema file: {@code --} comment lines dropped, split at each {@code ;}. */
    static List<String> statements(String file) {
        String sql;
        try (InputStream in = OrderDatabase.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("Schema file missing from the WAR: " + file);
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder code = new StringBuilder();
        sql.lines()
                .filter(line -> !line.strip().startsWith("--"))
                .forEach(line -> code.append(line).append('\n'));
        List<String> statements = new ArrayList<>();
        for (String statement : code.toString().split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
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
}
