package io.ticketrush.order;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;

import io.ticketrush.redis.RedisUnavailableException;

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
    @ConfigProperty(name = "order.sweep-ms", defaultValue = "500")
    long sweepMillis;

    @Inject
    MetricRegistry metrics;

    private Counter sweeps;
    private Counter returned;
    private ScheduledFuture<?> task;
    private volatile boolean redisDown;

    @PostConstruct
    void start() {
        sweeps = metrics.counter(Metadata.builder().withName("ticketrush.expiry.sweeps")
                .withDescription("Sweeps of overdue reservations run by this instance").build());
        returned = metrics.counter(Metadata.builder().withName("ticketrush.expiry.tickets.returned")
                .withDescription("Tickets this instance's sweeps put back on sale").build());
        task = scheduler.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        task.cancel(false);
    }

    void sweep() {
        try {
            long expired = orders.expireDue();
            sweeps.inc();
            if (expired > 0) {
                returned.inc(expired);
                LOG.fine(() -> "Expired " + expired + " reservations");
            }
            if (redisDown) {
                redisDown = false;
                LOG.info("Redis is back; sweeping again");
            }
        } catch (RedisUnavailableException e) {
            if (!redisDown) {
                redisDown = true;
                LOG.warning("Cannot sweep expired reservations: " + e.getMessage());
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: log and keep going.
            LOG.log(Level.SEVERE, "Sweeping expired reservations failed", e);
        }
    }
}
