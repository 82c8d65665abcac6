package io.ticketrush.redis;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.HostAndPort;

/**
 * How this instance reaches Redis, read from MicroProfile Config and checked once at start: a mistake in the
 * configuration stops the deployment with a message naming the key, not the first purchase.
 *
 * @param mode         standalone, sentinel or cluster ({@code redis.mode})
 * @param server       the standalone server ({@code redis.host}, {@code redis.port})
 * @param nodes        cluster: some of its nodes, the client discovers the rest ({@code redis.nodes})
 * @param sentinels    sentinel: the sentinels that know the master ({@code redis.sentinels})
 * @param masterName   sentinel: the name the sentinels monitor the master by ({@code redis.master-name})
 * @param password     Redis's password, if it has one ({@code redis.password}); sentinels are asked without
 * @param timeoutMs    connect, read and pool-wait timeout ({@code redis.timeout-ms})
 * @param poolSize     connections per server ({@code redis.pool-size})
 * @param clientName   the name this instance's connections carry in CLIENT LIST
 * @param waitReplicas writes that answer a buyer (reserve, pay, open) are answered only once this many
 *                     replicas have them ({@code redis.wait-replicas}, 0: asynchronous replication)
 * @param waitMs       how long to wait for them ({@code redis.wait-timeout-ms}); a shortfall answers 503
 */
public record RedisSettings(
        Mode mode,
        HostAndPort server,
        Set<HostAndPort> nodes,
        Set<HostAndPort> sentinels,
        String masterName,
        Optional<String> password,
        int timeoutMs,
        int poolSize,
        String clientName,
        int waitReplicas,
        int waitMs) {

    /** Redis's deployment modes, each with the Jedis client it needs. */
    public enum Mode {
        STANDALONE,
        SENTINEL,
        CLUSTER;

        static Mode parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "redis.mode must be standalone, sentinel or cluster, not '" + value + "'");
            }
        }
    }

    public RedisSettings {
        nodes = Set.copyOf(nodes);
        sentinels = Set.copyOf(sentinels);
        password = password.filter(p -> !p.isBlank());
        if (mode == Mode.CLUSTER && nodes.isEmpty()) {
            throw new IllegalArgumentException("redis.mode=cluster needs redis.nodes: host:port of at least one node");
        }
        if (mode == Mode.SENTINEL && sentinels.isEmpty()) {
            throw new IllegalArgumentException("redis.mode=sentinel needs redis.sentinels: host:port of the sentinels");
        }
        if (mode == Mode.SENTINEL && (masterName == null || masterName.isBlank())) {
            throw new IllegalArgumentException("redis.mode=sentinel needs redis.master-name");
        }
        positive("redis.timeout-ms", timeoutMs);
        positive("redis.pool-size", poolSize);
        if (waitReplicas < 0) {
            throw new IllegalArgumentException("redis.wait-replicas must be 0 or more, not " + waitReplicas);
        }
        if (waitReplicas > 0) {
            positive("redis.wait-timeout-ms", waitMs);
        }
    }

    /** Builds the settings from configuration values as they are written (lists comma-separated). */
    public static RedisSettings of(
            String mode,
            String host,
            int port,
            String nodes,
            String sentinels,
            String masterName,
            Optional<String> password,
            int timeoutMs,
            int poolSize,
            String clientName,
            int waitReplicas,
            int waitMs) {
        return new RedisSettings(
                Mode.parse(mode),
                new HostAndPort(host, port),
                addresses("redis.nodes", nodes),
                addresses("redis.sentinels", sentinels),
                masterName,
                password,
                timeoutMs,
                poolSize,
                clientName,
                waitReplicas,
                waitMs);
    }

    /** The settings of one standalone server, as tests and tools use it. */
    public static RedisSettings standalone(int port, int timeoutMs) {
        return of("standalone", "127.0.0.1", port, "", "", "mymaster", Optional.empty(), timeoutMs, 32, "test", 0, 0);
    }

    /** A comma-separated list of host:port; an empty list is an empty set. */
    static Set<HostAndPort> addresses(String key, String list) {
        Set<HostAndPort> addresses = new LinkedHashSet<>();
        for (String entry : list == null ? new String[0] : list.split(",")) {
            String address = entry.trim();
            if (address.isEmpty()) {
                continue;
            }
            int colon = address.lastIndexOf(':');
            try {
                if (colon <= 0) {
                    throw new NumberFormatException();
                }
                int port = Integer.parseInt(address.substring(colon + 1));
                if (port < 1 || port > 65_535) {
                    throw new NumberFormatException();
                }
                addresses.add(new HostAndPort(address.substring(0, colon), port));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + address + "' is not host:port");
            }
        }
        return addresses;
    }

    private static void positive(String key, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, not " + value);
        }
    }
}
