package io.ticketrush.redis;

import io.ticketrush.model.InstanceName;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.JedisSentineled;
import redis.clients.jedis.UnifiedJedis;

/**
 * The CDI producer of this instance's Redis client, whatever Redis runs as: one server ({@link JedisPooled}),
 * a master watched by Sentinel that follows failovers ({@link JedisSentineled}), or a Redis Cluster that routes
 * each command to the master of its key's slot ({@link JedisCluster}). All three are a {@link UnifiedJedis}, so
 * the rest of the code does not know which one it has. Every key of a script carries its event's hash tag, so a
 * script runs in one slot of a cluster, and different events land on different masters.
 */
@ApplicationScoped
public class RedisConnections {

    private static final Logger LOG = Logger.getLogger(RedisConnections.class.getName());
    /** Cluster: tries of one command across MOVED/ASK redirections and reconnects. */
    private static final int CLUSTER_ATTEMPTS = 3;

    @Inject
    @ConfigProperty(name = "redis.mode")
    String mode;

    @Inject
    @ConfigProperty(name = "redis.host")
    String host;

    @Inject
    @ConfigProperty(name = "redis.port")
    int port;

    @Inject
    @ConfigProperty(name = "redis.nodes")
    Optional<String> nodes;

    @Inject
    @ConfigProperty(name = "redis.sentinels")
    Optional<String> sentinels;

    @Inject
    @ConfigProperty(name = "redis.master-name")
    String masterName;

    @Inject
    @ConfigProperty(name = "redis.password")
    Optional<String> password;

    @Inject
    @ConfigProperty(name = "redis.timeout-ms")
    int timeoutMs;

    @Inject
    @ConfigProperty(name = "redis.pool-size")
    int poolSize;

    @Inject
    @ConfigProperty(name = "redis.wait-replicas")
    int waitReplicas;

    @Inject
    @ConfigProperty(name = "redis.wait-timeout-ms")
    int waitMs;

    @Inject
    InstanceName instance;

    private RedisSettings settings;

    @PostConstruct
    void read() {
        settings = RedisSettings.of(
                mode,
                host,
                port,
                nodes.orElse(""),
                sentinels.orElse(""),
                masterName,
                password,
                timeoutMs,
                poolSize,
                instance.get(),
                waitReplicas,
                waitMs);
    }

    public RedisSettings settings() {
        return settings;
    }

    /**
     * A new client for the configured Redis. Sentinel and Cluster clients ask their seeds at once and throw when
     * none answers; {@link RedisClient} asks for one on first use and again until that works.
     */
    @Produces
    UnifiedJedis connect() {
        return open(settings);
    }

    void close(@Disposes UnifiedJedis jedis) {
        jedis.close();
    }

    /** The client {@code settings} call for; see {@link #connect()}. */
    public static UnifiedJedis open(RedisSettings settings) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(settings.poolSize());
        pool.setMaxIdle(settings.poolSize());
        pool.setMinIdle(Math.min(4, settings.poolSize()));
        // A request must not wait for a connection longer than for Redis itself: fail fast, answer 503.
        pool.setMaxWait(Duration.ofMillis(settings.timeoutMs()));
        pool.setTestWhileIdle(true);
        pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(5));
        JedisClientConfig client = clientConfig(settings, settings.password().orElse(null));
        UnifiedJedis jedis = switch (settings.mode()) {
            case STANDALONE -> new JedisPooled(pool, settings.server(), client);
            // Sentinels answer without a password here; the master and replicas need Redis's own.
            case SENTINEL ->
                new JedisSentineled(
                        settings.masterName(), client, pool, settings.sentinels(), clientConfig(settings, null));
            case CLUSTER ->
                new JedisCluster(
                        settings.nodes(), client, CLUSTER_ATTEMPTS, Duration.ofMillis(settings.timeoutMs()), pool);
        };
        LOG.info(() -> "Redis " + describe(settings) + ", pool " + settings.poolSize() + " per server, timeout "
                + settings.timeoutMs() + " ms"
                + (settings.waitReplicas() > 0
                        ? ", answers wait for " + settings.waitReplicas() + " replica(s) up to " + settings.waitMs()
                                + " ms"
                        : ""));
        return jedis;
    }

    static String describe(RedisSettings settings) {
        return switch (settings.mode()) {
            case STANDALONE -> "standalone at " + settings.server();
            case SENTINEL -> "master '" + settings.masterName() + "' of sentinels " + settings.sentinels();
            case CLUSTER -> "cluster of nodes " + settings.nodes();
        };
    }

    private static JedisClientConfig clientConfig(RedisSettings settings, String password) {
        return DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.timeoutMs())
                // WAIT blocks for up to its own timeout before it answers.
                .socketTimeoutMillis(settings.timeoutMs() + (settings.waitReplicas() > 0 ? settings.waitMs() : 0))
                .password(password)
                .clientName(settings.clientName())
                .build();
    }
}
