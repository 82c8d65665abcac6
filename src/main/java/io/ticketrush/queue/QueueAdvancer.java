package io.ticketrush.queue;

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

/**
 * Moves every waiting room on: freezes the pre-queue at its opening, admits positions at the sale's rate within
 * the stock, lapses unused admissions (advance.lua). Every instance runs one; the script keeps time by Redis's
 * clock, so several running at once admit no one twice and no faster than the rate.
 */
@Singleton
@Startup
public class QueueAdvancer {

    private static final Logger LOG = Logger.getLogger(QueueAdvancer.class.getName());

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    WaitingRoom waitingRoom;

    @Inject
    @ConfigProperty(name = "queue.advance-ms")
    long advanceMillis;

    private PeriodicTask task;

    @PostConstruct
    void start() {
        // Made now, not at the first request: without its key the deployment fails here, naming the setting.
        waitingRoom.checkConfigured();
        task = PeriodicTask.start(
                scheduler,
                advanceMillis,
                LOG,
                new PeriodicTask.Wording(
                        "Cannot move the waiting rooms on: ",
                        "Redis is back; waiting rooms move on again",
                        "Moving the waiting rooms on failed"),
                RedisUnavailableException::outage,
                waitingRoom::advanceAll);
    }

    @PreDestroy
    void stop() {
        task.stop();
    }
}
