package io.ticketrush.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * Owns this instance's pool of Redis connections. Each command borrows a connection and returns it at once,
 * so no connection is ever held across requests (the seed leaked one per request).
 */
@ApplicationScoped
public class RedisClient {

    private static final Logger LOG = Logger.getLogger(RedisClient.class.getName());

    /**
     * Error codes (an error reply's first word) that mean "not now" rather than "wrong command": answered as 503,
     * not 500. Whole words: BUSYGROUP, say, is an answer to the command, not Redis being busy.
     */
    private static final Set<String> TRANSIENT_ERRORS = Set.of(
            "LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS");

    @Inject
    @ConfigProperty(name = "redis.host", defaultValue = "127.0.0.1")
    String host;

    @Inject
    @ConfigProperty(name = "redis.port", defaultValue = "6379")
    int port;

    @Inject
    @ConfigProperty(name = "redis.password")
    Optional<String> password;

    @Inject
    @ConfigProperty(name = "redis.timeout-ms", defaultValue = "500")
    int timeoutMs;

    @Inject
    @ConfigProperty(name = "redis.pool-size", defaultValue = "32")
    int poolSize;

    @Inject
    @ConfigProperty(name = "redis.failfast-ms", defaultValue = "500")
    long failFastMillis;

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String instanceName;

    private static final Metadata SCRIPT_TIME = Metadata.builder().withName("ticketrush.redis.script")
            .withDescription("Time of one Lua script call, round trip included").withUnit(MetricUnits.SECONDS).build();

    @Inject
    MetricRegistry metrics;

    private final Map<String, Timer> scriptTimers = new ConcurrentHashMap<>();
    /**
     * While Redis is failing: the System.nanoTime() until which commands fail at once, without waiting for a
     * timeout; 0 while Redis answers. When it passes, one caller probes Redis for everyone else.
     */
    private final AtomicLong failingUntil = new AtomicLong();
    private UnifiedJedis jedis;

    @PostConstruct
    void connect() {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        pool.setMinIdle(Math.min(4, poolSize));
        // A request must not wait for a connection longer than for Redis itself: fail fast, answer 503.
        pool.setMaxWait(Duration.ofMillis(timeoutMs));
        pool.setTestWhileIdle(true);
        pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
        DefaultJedisClientConfig client = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeoutMs)
                .socketTimeoutMillis(timeoutMs)
                .password(password.filter(p -> !p.isBlank()).orElse(null))
                .clientName(instanceName)
                .build();
        jedis = new JedisPooled(pool, new HostAndPort(host, port), client);
        LOG.info(() -> "Redis at " + host + ":" + port + ", pool " + poolSize + ", timeout " + timeoutMs + " ms");
    }

    @PreDestroy
    void close() {
        jedis.close();
    }

    /**
     * Runs one command; any failure to reach Redis becomes a {@link RedisUnavailableException}. After a failure,
     * commands fail at once for {@code redis.failfast-ms} instead of each waiting out the timeout: a hung Redis
     * must not hold every request thread for half a second.
     */
    public <T> T call(Function<UnifiedJedis, T> command) {
        long until = failingUntil.get();
        if (until != 0) {
            long now = System.nanoTime();
            if (now - until < 0 || !failingUntil.compareAndSet(until, now + failFastNanos())) {
                throw new RedisUnavailableException("Redis failed recently; retrying shortly", null);
            }
            // This caller probes; the window was pushed on, so the others keep failing fast meanwhile.
        }
        try {
            T result = command.apply(jedis);
            if (until != 0) {
                failingUntil.set(0);
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

    private RedisUnavailableException failing(String message, RuntimeException cause) {
        if (failingUntil.getAndSet(System.nanoTime() + failFastNanos()) == 0) {
            LOG.warning(message);
        }
        return new RedisUnavailableException(message, cause);
    }

    private long failFastNanos() {
        return TimeUnit.MILLISECONDS.toNanos(failFastMillis);
    }

    /** EVALSHA, falling back to EVAL (which also caches the script) when Redis has not seen it yet. */
    public Object eval(LuaScript script, List<String> keys, List<String> args) {
        long start = System.nanoTime();
        try {
            return call(redis -> {
                try {
                    return redis.evalsha(script.sha(), keys, args);
                } catch (JedisNoScriptException e) {
                    return redis.eval(script.source(), keys, args);
                }
            });
        } finally {
            // No registry outside a container (tests wire this class by hand): nothing to record then.
            if (metrics != null) {
                scriptTimers.computeIfAbsent(script.name(), name -> metrics.timer(SCRIPT_TIME, new Tag("script", name)))
                        .update(Duration.ofNanos(System.nanoTime() - start));
            }
        }
    }

    /** True when Redis answers PING within the timeout. */
    public boolean ping() {
        try {
            return "PONG".equals(call(UnifiedJedis::ping));
        } catch (RedisUnavailableException e) {
            return false;
        }
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
