package io.ticketrush.health;

import io.ticketrush.redis.RedisClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** DOWN while Redis does not answer PING: without Redis this instance can only answer 503. */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements HealthCheck {

    @Inject
    RedisClient redis;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("redis").status(redis.ping()).build();
    }
}
