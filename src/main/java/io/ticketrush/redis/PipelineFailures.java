package io.ticketrush.redis;

import io.ticketrush.concurrent.Batcher;
import java.time.Duration;

/** How a batcher in front of Redis fails what it turns away: Redis busy or away, which the API answers 503. */
public final class PipelineFailures implements Batcher.Failures {

    public static final PipelineFailures INSTANCE = new PipelineFailures();

    private PipelineFailures() {}

    @Override
    public RuntimeException full(int capacity) {
        return new RedisBusyException(capacity + " calls are already waiting for Redis on this instance");
    }

    @Override
    public RuntimeException expired(Duration deadline) {
        return new RedisUnavailableException("no answer from Redis within " + deadline.toMillis() + " ms", null);
    }

    @Override
    public RuntimeException failed(Throwable error) {
        return new RedisUnavailableException("the batch failed: " + error, error);
    }
}
