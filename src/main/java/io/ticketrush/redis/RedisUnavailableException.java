package io.ticketrush.redis;

/** Redis could not be reached or could not serve the command now; the caller may retry later. */
public class RedisUnavailableException extends RuntimeException {

    public RedisUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
