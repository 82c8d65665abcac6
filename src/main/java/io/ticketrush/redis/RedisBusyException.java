package io.ticketrush.redis;

/**
 * Refused before it was sent: as many calls as this instance may queue ({@code redis.pipeline-queue}) are already
 * waiting for Redis. Nothing was written; the caller may retry shortly.
 */
public class RedisBusyException extends RedisUnavailableException {

    public RedisBusyException(String message) {
        super(message);
    }
}
