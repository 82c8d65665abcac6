package io.ticketrush.stock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.model.InstanceName;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

/**
 * The instances alive in this deployment, as Redis sees them. Each instance beats every {@code stock.refresh-ms};
 * one that has not beaten for {@code cluster.member-ttl-ms} is dead. Local shares are sized by the weight alive,
 * so a dead instance's part of the stock goes to the others at their next re-open, and a new one takes its part
 * without anyone restarting.
 *
 * <p>A beat also publishes the instance's report (its counters, see {@link InstanceReport}): one Redis write a
 * beat, none a request, so whichever instance answers {@code GET /admin/instances} answers for all of them.
 */
@ApplicationScoped
public class Members {

    /** Outside every event's slot, all under one hash tag so the scripts run on Redis Cluster. */
    static final List<String> KEYS = List.of("tr:{members}:live", "tr:{members}:weight", "tr:{members}:report");

    /** How long the last report of an instance that stopped beating stays readable. */
    static final long KEEP_GONE_MILLIS = 60 * 60 * 1000L;

    private static final LuaScript MEMBERS = LuaScript.load("members");
    private static final LuaScript REPORT = LuaScript.load("members-report");

    @Inject
    RedisClient redis;

    @Inject
    InstanceName instance;

    @Inject
    @ConfigProperty(name = "instance.weight")
    int weight;

    @Inject
    @ConfigProperty(name = "cluster.member-ttl-ms")
    long ttlMillis;

    /** What Redis knows of the instances alive. */
    public record Alive(long totalWeight, long instances) {
    }

    /**
     * One instance as the last beats left it: alive or not, its weight (null when neither its beat nor its report
     * says), when its heartbeat runs out or ran out, and its last report (JSON, null if it never sent one).
     */
    public record Member(String name, boolean alive, Long weight, Long lastBeat, String report) {
    }

    /** Every instance alive, and those gone within the last hour, by name; {@code now} is Redis's clock. */
    public record Roll(long now, List<Member> members) {
    }

    public long ttlMillis() {
        return ttlMillis;
    }

    public String name() {
        return instance.get();
    }

    public int weight() {
        return weight;
    }

    /**
     * This instance is alive for another {@code cluster.member-ttl-ms}, publishing {@code report} (JSON) as its latest
     * figures; answers who else is.
     */
    public Alive beat(String report) {
        return call(weight, report);
    }

    /** This instance leaves now rather than when its heartbeat runs out (a clean shutdown). */
    public Alive leave() {
        return call(0, "");
    }

    /** Every instance's heartbeat and last report, read together in one script. */
    public Roll roll() {
        List<?> reply = (List<?>) redis.eval(REPORT, KEYS, List.of(Long.toString(KEEP_GONE_MILLIS)));
        return roll(reply);
    }

    static Roll roll(List<?> reply) {
        long now = (Long) reply.get(0);
        Map<String, Boolean> alive = new HashMap<>();
        List<?> live = (List<?>) reply.get(1);
        for (int i = 0; i < live.size(); i += 2) {
            alive.put((String) live.get(i), true);
        }
        Map<String, Long> weights = pairs((List<?>) reply.get(2), Long::parseLong);
        Map<String, String> reports = pairs((List<?>) reply.get(3), value -> value);
        Map<String, Member> members = new TreeMap<>();
        for (String member : alive.keySet()) {
            members.put(member, new Member(member, true, weights.get(member), null, null));
        }
        reports.forEach((member, value) -> {
            int space = value.indexOf(' ');
            Long beat = space > 0 ? Long.valueOf(value.substring(0, space)) : null;
            String report = space > 0 ? value.substring(space + 1) : null;
            members.put(member, new Member(member, alive.containsKey(member), weights.get(member), beat, report));
        });
        return new Roll(now, new ArrayList<>(members.values()));
    }

    private static <T> Map<String, T> pairs(List<?> flat, Function<String, T> parse) {
        Map<String, T> map = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            map.put((String) flat.get(i), parse.apply((String) flat.get(i + 1)));
        }
        return map;
    }

    private Alive call(int beatWeight, String report) {
        List<?> reply = (List<?>) redis.eval(MEMBERS, KEYS,
                List.of(instance.get(), Integer.toString(beatWeight), Long.toString(ttlMillis), report));
        return new Alive((Long) reply.get(0), (Long) reply.get(1));
    }
}
