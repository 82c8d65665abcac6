package io.ticketrush.order;

import io.ticketrush.concurrent.PeriodicTask;
import io.ticketrush.redis.RedisUnavailableException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

/**
 * Expires unpaid reservations once their hold has run out and puts their tickets back on sale. Every instance
 * runs one; the work is a Lua script, so sweepers running at the same moment still return each ticket once.
 */
@Singleton
@Startup
public class ReservationSweeper {

    private static final Logger LOG = Logger.getLogger(ReservationSweeper.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    Orders orders;

    @Inject
    @ConfigProperty(name = "order.sweep-ms")
    long sweepMillis;

    @Inject
    MetricRegistry metrics;

    private Counter sweeps;
    private Counter returned;
    private PeriodicTask task;

    @PostConstruct
    void start() {
        sweeps = metrics.counter(Metadata.builder()
                .withName("ticketrush.expiry.sweeps")
                .withDescription("Sweeps of overdue reservations run by this instance")
                .build());
        returned = metrics.counter(Metadata.builder()
                .withName("ticketrush.expiry.tickets.returned")
                .withDescription("Tickets this instance's sweeps put back on sale")
                .build());
        task = PeriodicTask.start(
                scheduler,
                sweepMillis,
                LOG,
                new PeriodicTask.Wording(
                        "Cannot sweep expired reservations: ",
                        "Redis is back; sweeping again",
                        "Sweeping expired reservations failed"),
                RedisUnavailableException::outage,
                this::sweep);
    }

    @PreDestroy
    void stop() {
        task.stop();
    }

    void sweep() {
        long expired = orders.expireDue();
        sweeps.inc();
        if (expired > 0) {
            returned.inc(expired);
            LOG.fine(() -> "Expired " + expired + " reservations");
        }
    }
}
