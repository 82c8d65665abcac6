package io.ticketrush.stock;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

/**
 * The instances alive in this deployment, as Redis sees them. Each instance beats every {@code stock.refresh-ms};
 * one that has not beaten for {@code cluster.member-ttl-ms} is dead. Local shares are sized by the weight alive,
 * so a dead instance's part of the stock goes to the others at their next re-open, and a new one takes its part
 * without anyone restarting.
 */
@ApplicationScoped
public class Members {

    /** Outside every event's slot, both under one hash tag so the script runs on Redis Cluster. */
    static final List<String> KEYS = List.of("tr:{members}:live", "tr:{members}:weight");

    private static final LuaScript MEMBERS = LuaScript.load("members");

    @Inject
    RedisClient redis;

    @Inject
    @ConfigProperty(name = "instance.name", defaultValue = "ticketrush")
    String name;

    @Inject
    @ConfigProperty(name = "instance.weight", defaultValue = "1")
    int weight;

    @Inject
    @ConfigProperty(name = "cluster.member-ttl-ms", defaultValue = "2000")
    long ttlMillis;

    /** What Redis knows of the instances alive. */
    public record Alive(long totalWeight, long instances) {
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    /** This instance is alive for another {@code cluster.member-ttl-ms}; answers who else is. */
    public Alive beat() {
        return call(weight);
    }

    /** This instance leaves now rather than when its heartbeat runs out (a clean shutdown). */
    public Alive leave() {
        return call(0);
    }

    private Alive call(int beatWeight) {
        List<?> reply = (List<?>) redis.eval(MEMBERS, KEYS,
                List.of(name, Integer.toString(beatWeight), Long.toString(ttlMillis)));
        return new Alive((Long) reply.get(0), (Long) reply.get(1));
    }
}
