package io.ticketrush.redis;

import io.ticketrush.concurrent.Batcher;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.MetricRegistry;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * This instance's way to Redis: the client {@link RedisConnections} produces for the configured mode, opened on
 * first use, with Redis's failures turned into 503s. Each command borrows a pooled connection and returns it at
 * once: a connection held across requests, or never returned, would drain the pool under load.
 *
 * <p>The writes a buyer waits for ({@link #evalReplicated}: a reservation, a payment, a join) of concurrent requests
 * go to Redis together, down one pipeline ({@code redis.pipeline}, on by default): with {@code appendfsync always}
 * Redis then writes and syncs its log once for the whole batch, where one script per round trip cost it a sync each
 * and kept a request thread and a connection per purchase waiting.
 *
 * <p>No wait on the pipeline is without end: at most {@code redis.pipeline-queue} calls wait to be sent (one more
 * is refused at once, a {@link RedisBusyException}), and a call unanswered {@code redis.request-timeout-ms} after
 * it was made is failed, whatever holds the pipeline's thread (see {@link Batcher}); both are counted in
 * {@code ticketrush_redis_refused_total}.
 *
 * <p>The policies are classes of their own around the connection: {@link CircuitBreakerExecutor} (fail fast),
 * {@link ScriptRunner} (NOSCRIPT, WAIT), {@link WritePipeline} (the batcher) and {@link RedisMetrics}.
 */
@ApplicationScoped
public class RedisClient {

    @Inject
    RedisConnections connections;

    @Inject
    Instance<UnifiedJedis> clients;

    @Inject
    @ConfigProperty(name = "redis.failfast-ms")
    long failFastMillis;

    @Inject
    @ConfigProperty(name = "redis.pipeline")
    boolean pipelined;

    @Inject
    @ConfigProperty(name = "redis.pipeline-queue")
    int queueCapacity;

    @Inject
    @ConfigProperty(name = "redis.request-timeout-ms")
    long requestTimeoutMillis;

    @Inject
    MetricRegistry registry;

    @Resource
    ManagedThreadFactory threads;

    /** The writes of concurrent requests, sent down one pipeline; null when each goes alone. */
    private WritePipeline pipeline;

    private Batcher.Limits limits;
    private RedisMetrics metrics;
    private CircuitBreakerExecutor executor;
    private ScriptRunner runner;
    private RedisSettings settings;
    /** Opens this instance's client; the CDI producer in the container, by hand in tests. */
    private Supplier<UnifiedJedis> connector;

    private volatile UnifiedJedis jedis;

    @PostConstruct
    void init() {
        wire(connections.settings(), clients::get, registry);
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("redis.pipeline-queue must be at least 1, not " + queueCapacity);
        }
        if (requestTimeoutMillis < 1) {
            throw new IllegalArgumentException(
                    "redis.request-timeout-ms must be at least 1, not " + requestTimeoutMillis);
        }
        limits = new Batcher.Limits(queueCapacity, Duration.ofMillis(requestTimeoutMillis));
        if (pipelined) {
            pipeline = new WritePipeline(
                    threads, limits, batch -> evalAll(batch, settings.waitReplicas()), refusals("pipeline"));
        }
    }

    private void wire(RedisSettings settings, Supplier<UnifiedJedis> connector, MetricRegistry registry) {
        this.settings = settings;
        this.connector = connector;
        this.metrics = new RedisMetrics(registry);
        this.executor = new CircuitBreakerExecutor(Duration.ofMillis(failFastMillis), this::jedis);
        this.runner = new ScriptRunner(executor, settings);
    }

    /**
     * The limits every queue of Redis work on this instance keeps ({@code redis.pipeline-queue},
     * {@code redis.request-timeout-ms}); null for a client wired by hand, which has no pipeline.
     */
    public Batcher.Limits limits() {
        return limits;
    }

    /** Counts the calls a batcher of Redis work refuses, as {@code ticketrush_redis_refused_total{queue=…}}. */
    public Consumer<Batcher.Refusal> refusals(String queue) {
        return metrics.refusals(queue);
    }

    /** A client wired by hand, for tests and tools that run without a container. */
    public static RedisClient of(RedisSettings settings, long failFastMillis) {
        RedisClient client = new RedisClient();
        client.failFastMillis = failFastMillis;
        client.wire(settings, () -> RedisConnections.open(settings), null);
        return client;
    }

    @PreDestroy
    public synchronized void close() {
        if (pipeline != null) {
            pipeline.stop();
        }
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
        return executor.call(command);
    }

    /** EVALSHA, falling back to EVAL (which also caches the script) when Redis has not seen it yet. */
    public Object eval(LuaScript script, List<String> keys, List<String> args) {
        return metrics.timed(script, () -> call(redis -> ScriptRunner.eval(redis, script, keys, args)));
    }

    /**
     * {@link #eval} for a write whose answer a buyer relies on: with {@code redis.wait-replicas} &gt; 0 the
     * script and a WAIT for that many replicas go down one connection (WAIT counts what this connection wrote),
     * and a shortfall is a {@link RedisUnavailableException}: the write happened on the master, but a failover
     * could lose it, so the buyer is not told it succeeded. A retry finds the write if it survived.
     */
    public Object evalReplicated(LuaScript script, List<String> keys, List<String> args) {
        if (pipeline != null) {
            return metrics.timed(script, () -> pipeline.call(new ScriptCall(script, keys, args)));
        }
        return evalAlone(script, keys, args);
    }

    /**
     * {@link #evalReplicated} without waiting: the reply (or the failure, a {@link RedisUnavailableException}
     * when Redis is away or did not answer in time) completes the future on the pipeline's thread, or on the one
     * that fails calls past their deadline. A call the pipeline's queue has no room for is a future failed
     * already ({@link RedisBusyException}). Without the pipeline the call is made at once and the future is done
     * when this returns.
     */
    public CompletableFuture<Object> evalReplicatedAsync(LuaScript script, List<String> keys, List<String> args) {
        if (pipeline == null) {
            try {
                return CompletableFuture.completedFuture(evalAlone(script, keys, args));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        long start = System.nanoTime();
        CompletableFuture<Object> reply = pipeline.submit(new ScriptCall(script, keys, args));
        reply.whenComplete((value, failure) -> metrics.record(script, start));
        return reply;
    }

    private Object evalAlone(LuaScript script, List<String> keys, List<String> args) {
        int replicas = settings.waitReplicas();
        if (replicas == 0) {
            return eval(script, keys, args);
        }
        return metrics.timed(script, () -> {
            Object reply = evalAll(List.of(new ScriptCall(script, keys, args)), replicas)[0];
            if (reply instanceof RuntimeException failure) {
                throw failure;
            }
            return reply;
        });
    }

    /**
     * Runs each script once, all in one round trip, for a job that touches every event (sweeping, reading the
     * stock): its cost then no longer grows with the number of events. The replies come in order; when any
     * script failed, the first failure is thrown once all have run.
     */
    public List<Object> evalEach(List<ScriptCall> scripts) {
        if (scripts.isEmpty()) {
            return List.of();
        }
        Object[] replies = evalAll(scripts, 0);
        for (Object reply : replies) {
            if (reply instanceof RuntimeException failure) {
                throw failure;
            }
        }
        return List.of(replies);
    }

    /** The scripts down one pipeline ({@link ScriptRunner#run}): each one's reply or failure, in order. */
    private Object[] evalAll(List<ScriptCall> calls, int replicas) {
        return call(redis -> runner.run(redis, calls, replicas));
    }

    /**
     * Commands of a job that touches every event, in one round trip: {@code commands} queues them on the pipeline
     * and returns how to read their replies, which it is asked for once the pipeline has run.
     */
    public <T> T pipelined(Function<PipelineBase, Supplier<T>> commands) {
        return call(redis -> {
            Supplier<T> replies;
            try (PipelineBase pipeline = redis.pipelined()) {
                replies = commands.apply(pipeline);
                pipeline.sync();
            }
            return replies.get();
        });
    }

    /** One script call: the script, its keys and its arguments. */
    public record ScriptCall(LuaScript script, List<String> keys, List<String> args) {}

    /** True when Redis answers PING within the timeout. */
    public boolean ping() {
        try {
            return "PONG".equals(call(UnifiedJedis::ping));
        } catch (RedisUnavailableException e) {
            return false;
        }
    }
}
