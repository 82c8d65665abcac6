package io.ticketrush.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * This instance's way to Redis: the client {@link RedisConnections} produces for the configured mode, opened on
 * first use, with Redis's failures turned into 503s. Each command borrows a pooled connection and returns it at
 * once: a connection held across requests, or never returned, would drain the pool under load.
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

    private static final Metadata SCRIPT_TIME = Metadata.builder().withName("ticketrush.redis.script")
            .withDescription("Time of one Lua script call, round trip included").withUnit(MetricUnits.SECONDS).build();

    @Inject
    RedisConnections connections;

    @Inject
    Instance<UnifiedJedis> clients;

    @Inject
    @ConfigProperty(name = "redis.failfast-ms", defaultValue = "500")
    long failFastMillis;

    @Inject
    MetricRegistry metrics;

    private final Map<String, Timer> scriptTimers = new ConcurrentHashMap<>();
    private CircuitBreaker breaker;
    private RedisSettings settings;
    /** Opens this instance's client; the CDI producer in the container, by hand in tests. */
    private Supplier<UnifiedJedis> connector;
    private volatile UnifiedJedis jedis;

    @PostConstruct
    void init() {
        settings = connections.settings();
        breaker = new CircuitBreaker(Duration.ofMillis(failFastMillis));
        connector = clients::get;
    }

    /** A client wired by hand, for tests and tools that run without a container. */
    public static RedisClient of(RedisSettings settings, long failFastMillis) {
        RedisClient client = new RedisClient();
        client.settings = settings;
        client.failFastMillis = failFastMillis;
        client.breaker = new CircuitBreaker(Duration.ofMillis(failFastMillis));
        client.connector = () -> RedisConnections.open(settings);
        return client;
    }

    @PreDestroy
    public synchronized void close() {
        if (jedis != null) {
            if (clients != null) {
                clients.destroy(jedis);
            } else {
                jedis.close();
            }
            jedis = null;
        }
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * The client, opened on first use: Sentinel and Cluster clients need their seeds to answer while they are
     * built, and an instance must start, and answer 503, while Redis is away.
     */
    private UnifiedJedis jedis() {
        UnifiedJedis current = jedis;
        if (current == null) {
            synchronized (this) {
                if (jedis == null) {
                    jedis = open();
                }
                current = jedis;
            }
        }
        return current;
    }

    private UnifiedJedis open() {
        try {
            return connector.get();
        } catch (RuntimeException e) {
            // The producer's failure may come wrapped by the container; what matters is Redis's own.
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof JedisException jedisException) {
                    throw jedisException;
                }
            }
            throw e;
        }
    }

    /**
     * Runs one command; any failure to reach Redis becomes a {@link RedisUnavailableException}. After a failure,
     * commands fail at once for {@code redis.failfast-ms} ({@link CircuitBreaker}) instead of each waiting out the
     * timeout.
     */
    public <T> T call(Function<UnifiedJedis, T> command) {
        CircuitBreaker.Permission permission = breaker.ask();
        if (permission == CircuitBreaker.Permission.REJECTED) {
            throw new RedisUnavailableException("Redis failed recently; retrying shortly", null);
        }
        try {
            T result = command.apply(jedis());
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

    private RedisUnavailableException failing(String message, RuntimeException cause) {
        if (breaker.failed()) {
            LOG.warning(message);
        }
        return new RedisUnavailableException(message, cause);
    }

    /** EVALSHA, falling back to EVAL (which also caches the script) when Redis has not seen it yet. */
    public Object eval(LuaScript script, List<String> keys, List<String> args) {
        return timed(script, () -> call(redis -> {
            try {
                return redis.evalsha(script.sha(), keys, args);
            } catch (JedisNoScriptException e) {
                return redis.eval(script.source(), keys, args);
            }
        }));
    }

    /**
     * {@link #eval} for a write whose answer a buyer relies on: with {@code redis.wait-replicas} &gt; 0 the
     * script and a WAIT for that many replicas go down one connection (WAIT counts what this connection wrote),
     * and a shortfall is a {@link RedisUnavailableException}: the write happened on the master, but a failover
     * could lose it, so the buyer is not told it succeeded. A retry finds the write if it survived.
     */
    public Object evalReplicated(LuaScript script, List<String> keys, List<String> args) {
        int replicas = settings.waitReplicas();
        if (replicas == 0) {
            return eval(script, keys, args);
        }
        return timed(script, () -> call(redis -> {
            Object reply;
            long acknowledged;
            try (PipelineBase pipeline = redis.pipelined()) {
                Response<Object> evaluated = pipeline.evalsha(script.sha(), keys, args);
                Response<Long> waited = pipeline.waitReplicas(keys.get(0), replicas, settings.waitMs());
                pipeline.sync();
                try {
                    reply = evaluated.get();
                } catch (JedisNoScriptException e) {
                    // Nothing ran: load the script on the same connection and go again.
                    return retryLoaded(redis, script, keys, args, replicas);
                }
                acknowledged = waited.get();
            }
            requireReplicas(acknowledged, replicas);
            return reply;
        }));
    }

    private Object retryLoaded(UnifiedJedis redis, LuaScript script, List<String> keys, List<String> args, int replicas) {
        try (PipelineBase pipeline = redis.pipelined()) {
            Response<Object> evaluated = pipeline.eval(script.source(), keys, args);
            Response<Long> waited = pipeline.waitReplicas(keys.get(0), replicas, settings.waitMs());
            pipeline.sync();
            Object reply = evaluated.get();
            requireReplicas(waited.get(), replicas);
            return reply;
        }
    }

    private static void requireReplicas(long acknowledged, int replicas) {
        if (acknowledged < replicas) {
            throw new RedisUnavailableException("written, but on " + acknowledged + " of " + replicas
                    + " replicas in time; not confirmed", null);
        }
    }

    private <T> T timed(LuaScript script, Supplier<T> run) {
        long start = System.nanoTime();
        try {
            return run.get();
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
