package io.ticketrush.cluster;

import io.ticketrush.model.InstanceName;
import io.ticketrush.redis.RedisClient;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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

    private MembersScript beats;
    private MembersReportScript reports;

    @PostConstruct
    void init() {
        beats = new MembersScript(redis);
        reports = new MembersReportScript(redis);
    }

    /** What Redis knows of the instances alive. */
    public record Alive(long totalWeight, long instances) {}

    /**
     * One instance as the last beats left it: alive or not, its weight (null when neither its beat nor its report
     * says), when its heartbeat runs out or ran out, and its last report (JSON, null if it never sent one).
     */
    public record Member(String name, boolean alive, Long weight, Long lastBeat, String report) {}

    /** Every instance alive, and those gone within the last hour, by name; {@code now} is Redis's clock. */
    public record Roll(long now, List<Member> members) {}

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
        return beats.beat(instance.get(), weight, ttlMillis, report);
    }

    /** This instance leaves now rather than when its heartbeat runs out (a clean shutdown). */
    public Alive leave() {
        return beats.beat(instance.get(), MembersScript.LEAVING, ttlMillis, MembersScript.NO_REPORT);
    }

    /** Every instance's heartbeat and last report, read together in one script. */
    public Roll roll() {
        return reports.roll(KEEP_GONE_MILLIS);
    }
}
