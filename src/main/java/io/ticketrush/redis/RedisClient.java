package io.ticketrush.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Counter;
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

    /** At most this many scripts in one pipeline. */
    static final int MAX_PIPELINE = 256;

    private static final Metadata SCRIPT_TIME = Metadata.builder().withName("ticketrush.redis.script")
            .withDescription("Time of one Lua script call, round trip included").withUnit(MetricUnits.SECONDS).build();

    private static final Metadata REFUSED = Metadata.builder().withName("ticketrush.redis.refused")
            .withDescription("Calls for Redis answered 503 unsent or unanswered: reason full (redis.pipeline-queue"
                    + " calls were already waiting) or expired (no answer within redis.request-timeout-ms)").build();

    /** How often calls past their deadline are looked for, as a share of the deadline: at most this late. */
    private static final int EXPIRY_CHECKS_PER_DEADLINE = 20;

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
    MetricRegistry metrics;

    @Resource
    ManagedThreadFactory threads;

    /** The writes of concurrent requests, sent down one pipeline; null when each goes alone. */
    private Batcher<ScriptCall, Object> pipeline;
    /**
     * Looks after the pipeline: fails its calls past their deadline, replaces its thread. A thread of its own: the
     * container's shared scheduler also runs the jobs that wait for Redis, and would be held up exactly when calls
     * are.
     */
    private ScheduledExecutorService expiry;
    /** The pipeline's thread: it outlives anything its batches throw, and is replaced should it end all the same. */
    private volatile Thread sender;
    private volatile boolean closing;
    private Batcher.Limits limits;
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
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("redis.pipeline-queue must be at least 1, not " + queueCapacity);
        }
        if (requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("redis.request-timeout-ms must be at least 1, not "
                    + requestTimeoutMillis);
        }
        limits = new Batcher.Limits(queueCapacity, Duration.ofMillis(requestTimeoutMillis));
        if (pipelined) {
            pipeline = new Batcher<>(MAX_PIPELINE, limits, this::send, refusals("pipeline"));
            startSender();
            expiry = Executors.newSingleThreadScheduledExecutor(job -> {
                Thread expirer = threads.newThread(job);
                expirer.setName("ticketrush-redis-deadlines");
                expirer.setDaemon(true);
                return expirer;
            });
            long every = Math.max(1, requestTimeoutMillis / EXPIRY_CHECKS_PER_DEADLINE);
            expiry.scheduleWithFixedDelay(this::expireCalls, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void startSender() {
        Thread thread = threads.newThread(pipeline);
        thread.setName("ticketrush-redis-pipeline");
        thread.setDaemon(true);
        thread.start();
        sender = thread;
    }

    /** Fails the pipeline's calls past their deadline, and replaces its thread should it ever have ended. */
    private void expireCalls() {
        try {
            pipeline.expire();
            if (!sender.isAlive() && !closing) {
                LOG.severe("The Redis pipeline's thread has ended; another takes over");
                startSender();
            }
        } catch (Throwable e) {
            // A scheduled job that throws is never run again; this one must go on.
            LOG.log(Level.SEVERE, "Looking after the Redis pipeline failed", e);
        }
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
        Map<Batcher.Refusal, Counter> counters = new EnumMap<>(Batcher.Refusal.class);
        for (Batcher.Refusal refusal : Batcher.Refusal.values()) {
            counters.put(refusal, metrics.counter(REFUSED, new Tag("queue", queue),
                    new Tag("reason", refusal.name().toLowerCase(Locale.ROOT))));
        }
        return refusal -> counters.get(refusal).inc();
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
        closing = true;
        if (pipeline != null) {
            expiry.shutdownNow();
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
        if (pipeline != null) {
            return timed(script, () -> pipeline.call(new ScriptCall(script, keys, args)));
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
        reply.whenComplete((value, failure) -> record(script, start));
        return reply;
    }

    private Object evalAlone(LuaScript script, List<String> keys, List<String> args) {
        int replicas = settings.waitReplicas();
        if (replicas == 0) {
            return eval(script, keys, args);
        }
        return timed(script, () -> {
            Object reply = call(redis -> evalAll(redis, List.of(new ScriptCall(script, keys, args)), replicas))[0];
            if (reply instanceof RuntimeException failure) {
                throw failure;
            }
            return reply;
        });
    }

    private static void requireReplicas(long acknowledged, int replicas) {
        if (acknowledged < replicas) {
            throw new RedisUnavailableException("written, but on " + acknowledged + " of " + replicas
                    + " replicas in time; not confirmed", null);
        }
    }

    /** A batch of {@link #evalReplicated} calls, down one pipeline. */
    private void send(List<Batcher.Call<ScriptCall, Object>> batch) {
        List<ScriptCall> scripts = new ArrayList<>(batch.size());
        batch.forEach(call -> scripts.add(call.input()));
        Object[] replies = call(redis -> evalAll(redis, scripts, settings.waitReplicas()));
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] instanceof RuntimeException failure) {
                batch.get(i).fail(failure);
            } else {
                batch.get(i).complete(replies[i]);
            }
        }
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
        Object[] replies = call(redis -> evalAll(redis, scripts, 0));
        for (Object reply : replies) {
            if (reply instanceof RuntimeException failure) {
                throw failure;
            }
        }
        return List.of(replies);
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
    public record ScriptCall(LuaScript script, List<String> keys, List<String> args) {
    }

    /**
     * The scripts (EVALSHA) down one pipeline and, with {@code replicas} &gt; 0, a WAIT after them for each event's
     * keys, so that every node written to is asked. Each script's reply, or the exception it failed with, in
     * order; scripts Redis did not know yet go again as EVAL, which loads them.
     */
    private Object[] evalAll(UnifiedJedis redis, List<ScriptCall> scripts, int replicas) {
        Object[] replies = new Object[scripts.size()];
        List<Integer> unloaded = evalAll(redis, scripts, replicas, true, replies);
        if (!unloaded.isEmpty()) {
            List<ScriptCall> again = new ArrayList<>(unloaded.size());
            unloaded.forEach(i -> again.add(scripts.get(i)));
            Object[] loaded = new Object[again.size()];
            evalAll(redis, again, replicas, false, loaded);
            for (int j = 0; j < loaded.length; j++) {
                replies[unloaded.get(j)] = loaded[j];
            }
        }
        return replies;
    }

    /** One pipeline of EVALSHA ({@code sha}) or EVAL; returns the indexes of the scripts Redis did not know. */
    private List<Integer> evalAll(UnifiedJedis redis, List<ScriptCall> scripts, int replicas, boolean sha,
            Object[] replies) {
        List<Response<Object>> responses = new ArrayList<>(scripts.size());
        Map<String, Response<Long>> waits = new LinkedHashMap<>();
        try (PipelineBase pipeline = redis.pipelined()) {
            for (ScriptCall script : scripts) {
                responses.add(sha ? pipeline.evalsha(script.script().sha(), script.keys(), script.args())
                        : pipeline.eval(script.script().source(), script.keys(), script.args()));
            }
            if (replicas > 0) {
                for (ScriptCall script : scripts) {
                    waits.computeIfAbsent(script.keys().get(0),
                            key -> pipeline.waitReplicas(key, replicas, settings.waitMs()));
                }
            }
            pipeline.sync();
        }
        List<Integer> unloaded = new ArrayList<>();
        for (int i = 0; i < replies.length; i++) {
            try {
                replies[i] = responses.get(i).get();
                Response<Long> waited = waits.get(scripts.get(i).keys().get(0));
                if (waited != null) {
                    requireReplicas(waited.get(), replicas);
                }
            } catch (JedisNoScriptException e) {
                unloaded.add(i);
            } catch (JedisDataException e) {
                replies[i] = isTransient(e) ? failing("Redis cannot serve now: " + e.getMessage(), e) : e;
            } catch (RedisUnavailableException e) {
                replies[i] = e;
            }
        }
        return unloaded;
    }

    private <T> T timed(LuaScript script, Supplier<T> run) {
        long start = System.nanoTime();
        try {
            return run.get();
        } finally {
            record(script, start);
        }
    }

    private void record(LuaScript script, long startNanos) {
        // No registry outside a container (tests wire this class by hand): nothing to record then.
        if (metrics != null) {
            scriptTimers.computeIfAbsent(script.name(), name -> metrics.timer(SCRIPT_TIME, new Tag("script", name)))
                    .update(Duration.ofNanos(System.nanoTime() - startNanos));
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
