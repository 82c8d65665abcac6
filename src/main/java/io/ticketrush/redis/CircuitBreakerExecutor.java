package io.ticketrush.redis;

import java.time.Duration;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Runs commands through the {@link CircuitBreaker}: a failure to reach Redis, or an error reply that means "not
 * now", becomes a {@link RedisUnavailableException} (a 503) and opens the fail-fast window.
 */
final class CircuitBreakerExecutor {

    private static final Logger LOG = Logger.getLogger(CircuitBreakerExecutor.class.getName());

    /**
     * Error codes (an error reply's first word) that mean "not now" rather than "wrong command": answered as 503,
     * not 500. Whole words: BUSYGROUP, say, is an answer to the command, not Redis being busy.
     */
    private static final Set<String> TRANSIENT_ERRORS =
            Set.of("LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS");

    private final CircuitBreaker breaker;
    private final Supplier<UnifiedJedis> connection;

    /** Commands on the client {@code connection} gives, failing fast for {@code window} after a failure. */
    CircuitBreakerExecutor(Duration window, Supplier<UnifiedJedis> connection) {
        this.breaker = new CircuitBreaker(window);
        this.connection = connection;
    }

    <T> T call(Function<UnifiedJedis, T> command) {
        CircuitBreaker.Permission permission = breaker.ask();
        if (permission == CircuitBreaker.Permission.REJECTED) {
            throw new RedisUnavailableException("Redis failed recently; retrying shortly", null);
        }
        try {
            T result = command.apply(connection.get());
            if (breaker.succeeded(permission)) {
                LOG.info("Redis answers again");
            }
            return result;
        } catch (JedisDataException e) {
            if (isTransient(e)) {
                throw failing("Redis cannot serve now: " + e.getMessage(), e);
            }
            throw e;
        } catch (JedisException e) {
            throw failing("Redis unreachable: " + e.getMessage(), e);
        }
    }

    /** An error reply of one command among several: a transient one opens the window, as in {@link #call}. */
    RuntimeException failure(JedisDataException e) {
        return isTransient(e) ? failing("Redis cannot serve now: " + e.getMessage(), e) : e;
    }

    private RedisUnavailableException failing(String message, RuntimeException cause) {
        if (breaker.failed()) {
            LOG.warning(message);
        }
        return new RedisUnavailableException(message, cause);
    }

    static boolean isTransient(JedisDataException e) {
        String message = e.getMessage();
        if (message == null) {
            return false;
        }
        int space = message.indexOf(' ');
        return TRANSIENT_ERRORS.contains(space < 0 ? message : message.substring(0, space));
    }
}
