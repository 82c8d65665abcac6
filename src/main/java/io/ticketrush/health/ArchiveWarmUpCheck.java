package io.ticketrush.health;

import io.ticketrush.archive.OrderArchive;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN until the instance has made its first attempt at the order database, so that nobody is sent here while
 * the first read would still take seconds. The database being away does not keep it DOWN: the sale goes on
 * without it.
 */
@Readiness
@ApplicationScoped
public class ArchiveWarmUpCheck implements HealthCheck {

    @Inject
    OrderArchive archive;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("order-database-warm-up")
                .status(archive.warmedUp())
                .build();
    }
}
