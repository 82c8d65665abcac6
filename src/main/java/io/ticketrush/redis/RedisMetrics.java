package io.ticketrush.redis;

import io.ticketrush.concurrent.Batcher;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/** What the client counts: each script's time, and the calls each queue of Redis work refused. */
final class RedisMetrics {

    private static final Metadata SCRIPT_TIME = Metadata.builder()
            .withName("ticketrush.redis.script")
            .withDescription("Time of one Lua script call, round trip included")
            .withUnit(MetricUnits.SECONDS)
            .build();

    private static final Metadata REFUSED = Metadata.builder()
            .withName("ticketrush.redis.refused")
            .withDescription("Calls for Redis answered 503 unsent or unanswered: reason full (redis.pipeline-queue"
                    + " calls were already waiting) or expired (no answer within redis.request-timeout-ms)")
            .build();

    /** Null outside a container (tests wire the client by hand): nothing is recorded then. */
    private final MetricRegistry registry;

    private final Map<String, Timer> scriptTimers = new ConcurrentHashMap<>();

    RedisMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    <T> T timed(LuaScript script, Supplier<T> run) {
        long start = System.nanoTime();
        try {
            return run.get();
        } finally {
            record(script, start);
        }
    }

    void record(LuaScript script, long startNanos) {
        if (registry != null) {
            scriptTimers
                    .computeIfAbsent(script.name(), name -> registry.timer(SCRIPT_TIME, new Tag("script", name)))
                    .update(Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /** Counts the calls a batcher of Redis work refuses, as {@code ticketrush_redis_refused_total{queue=…}}. */
    Consumer<Batcher.Refusal> refusals(String queue) {
        Map<Batcher.Refusal, Counter> counters = new EnumMap<>(Batcher.Refusal.class);
        for (Batcher.Refusal refusal : Batcher.Refusal.values()) {
            counters.put(
                    refusal,
                    registry.counter(
                            REFUSED,
                            new Tag("queue", queue),
                            new Tag("reason", refusal.name().toLowerCase(Locale.ROOT))));
        }
        return refusal -> counters.get(refusal).inc();
    }
}
