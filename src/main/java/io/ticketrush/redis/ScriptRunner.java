package io.ticketrush.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.PipelineBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * How a Lua script is sent: EVALSHA first, EVAL (which also caches the script) only when Redis answers NOSCRIPT,
 * as spring-data-redis's {@code DefaultScriptExecutor}; and for a write a buyer relies on, a WAIT for replicas
 * after it on the same connection (WAIT counts what that connection wrote).
 */
final class ScriptRunner {

    private final CircuitBreakerExecutor executor;
    private final RedisSettings settings;

    /** Scripts whose transient error replies open {@code executor}'s window; WAIT for {@code settings.waitMs()}. */
    ScriptRunner(CircuitBreakerExecutor executor, RedisSettings settings) {
        this.executor = executor;
        this.settings = settings;
    }

    /** One script, EVALSHA falling back to EVAL. */
    static Object eval(UnifiedJedis redis, LuaScript script, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(script.sha(), keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(script.source(), keys, args);
        }
    }

    /**
     * The scripts (EVALSHA) down one pipeline and, with {@code replicas} &gt; 0, a WAIT after them for each event's
     * keys, so that every node written to is asked. Each script's reply, or the exception it failed with, in
     * order; scripts Redis did not know yet go again as EVAL, which loads them. A shortfall of replicas is a
     * {@link RedisUnavailableException}: the write happened on the master, but a failover could lose it.
     */
    Object[] run(UnifiedJedis redis, List<RedisClient.ScriptCall> scripts, int replicas) {
        Object[] replies = new Object[scripts.size()];
        List<Integer> unloaded = run(redis, scripts, replicas, true, replies);
        if (!unloaded.isEmpty()) {
            List<RedisClient.ScriptCall> again = new ArrayList<>(unloaded.size());
            unloaded.forEach(i -> again.add(scripts.get(i)));
            Object[] loaded = new Object[again.size()];
            run(redis, again, replicas, false, loaded);
            for (int j = 0; j < loaded.length; j++) {
                replies[unloaded.get(j)] = loaded[j];
            }
        }
        return replies;
    }

    /** One pipeline of EVALSHA ({@code sha}) or EVAL; returns the indexes of the scripts Redis did not know. */
    private List<Integer> run(
            UnifiedJedis redis, List<RedisClient.ScriptCall> scripts, int replicas, boolean sha, Object[] replies) {
        List<Response<Object>> responses = new ArrayList<>(scripts.size());
        Map<String, Response<Long>> waits = new LinkedHashMap<>();
        try (PipelineBase pipeline = redis.pipelined()) {
            for (RedisClient.ScriptCall script : scripts) {
                responses.add(
                        sha
                                ? pipeline.evalsha(script.script().sha(), script.keys(), script.args())
                                : pipeline.eval(script.script().source(), script.keys(), script.args()));
            }
            if (replicas > 0) {
                for (RedisClient.ScriptCall script : scripts) {
                    waits.computeIfAbsent(
                            script.keys().get(0), key -> pipeline.waitReplicas(key, replicas, settings.waitMs()));
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
                replies[i] = executor.failure(e);
            } catch (RedisUnavailableException e) {
                replies[i] = e;
            }
        }
        return unloaded;
    }

    private static void requireReplicas(long acknowledged, int replicas) {
        if (acknowledged < replicas) {
            throw new RedisUnavailableException(
                    "written, but on " + acknowledged + " of " + replicas + " replicas in time; not confirmed", null);
        }
    }
}
