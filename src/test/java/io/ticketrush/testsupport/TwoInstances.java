package io.ticketrush.testsupport;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two Payara Micro instances running the built WAR against a Redis topology of the test's choosing (Cluster,
 * Sentinel), each of weight 1 of 2, started before the class's first test and stopped, with the topology, after
 * its last. Register it on a static field with {@code @RegisterExtension}.
 *
 * @param <R> the topology: started in its own directory under target/, closed when the class is done
 */
public final class TwoInstances<R extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {

    private final String name;
    private final Function<Path, R> startRedis;
    private final Function<R, Map<String, String>> redisSettings;

    private R redis;
    private List<PayaraInstance> instances = List.of();
    private List<Api> apis = List.of();

    private TwoInstances(String name, Function<Path, R> startRedis, Function<R, Map<String, String>> redisSettings) {
        this.name = name;
        this.startRedis = startRedis;
        this.redisSettings = redisSettings;
    }

    /**
     * Instances {@code name-1} and {@code name-2} in target/it-redis-{@code name}, on the topology
     * {@code startRedis} starts there, configured with the system properties {@code redisSettings} gives for it.
     */
    public static <R extends AutoCloseable> TwoInstances<R> on(
            String name, Function<Path, R> startRedis, Function<R, Map<String, String>> redisSettings) {
        return new TwoInstances<>(name, startRedis, redisSettings);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Path dir = Path.of("target", "it-redis-" + name);
        redis = startRedis.apply(dir);
        Map<String, String> settings = new HashMap<>(redisSettings.apply(redis));
        // Two instances of equal weight, so each sizes its share as half of what is left.
        settings.putAll(Map.of("instance.weight", "1", "cluster.total-weight", "2"));
        instances = PayaraInstance.startAll(
                dir.resolve("payara"),
                List.of(
                        PayaraInstance.properties(name + "-1", settings),
                        PayaraInstance.properties(name + "-2", settings)));
        apis = instances.stream().map(PayaraInstance::api).toList();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        instances.forEach(PayaraInstance::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** The topology the instances use. */
    public R redis() {
        return redis;
    }

    /** The two instances' APIs, bypassing any proxy: a test picks which instance serves each request. */
    public List<Api> apis() {
        return apis;
    }
}
