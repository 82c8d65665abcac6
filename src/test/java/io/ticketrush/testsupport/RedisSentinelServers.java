package io.ticketrush.testsupport;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A real Sentinel setup on free loopback ports: one master, one replica, three sentinels that fail over
 * (quorum 2) one second after the master stops answering. Everything is killed when closed.
 */
public final class RedisSentinelServers implements AutoCloseable {

    public static final String MASTER_NAME = "ticketrush";
    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    private final RedisServer master;
    private final RedisServer replica;
    private final List<RedisServer> sentinels = new ArrayList<>();

    private RedisSentinelServers(RedisServer master, RedisServer replica) {
        this.master = master;
        this.replica = replica;
    }

    public static RedisSentinelServers start(Path dir) {
        TestDirs.fresh(dir);
        RedisServer master = RedisServer.start(dir.resolve("master"), FreePorts.any(), List.of());
        RedisServer replica = null;
        RedisSentinelServers setup = null;
        try {
            replica = RedisServer.start(
                    dir.resolve("replica"),
                    FreePorts.any(),
                    List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
            setup = new RedisSentinelServers(master, replica);
            setup.awaitReplicaInSync();
            for (int i = 1; i <= 3; i++) {
                setup.sentinels.add(RedisServer.startSentinel(
                        dir.resolve("sentinel-" + i),
                        FreePorts.any(),
                        String.join(
                                "\n",
                                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 2",
                                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                                "")));
            }
            setup.awaitSentinelsSeeEachOther();
            return setup;
        } catch (RuntimeException e) {
            if (setup != null) {
                setup.close();
            } else {
                master.kill();
                if (replica != null) {
                    replica.kill();
                }
            }
            throw e;
        }
    }

    /** The sentinels as {@code redis.sentinels} takes them: host:port, comma-separated. */
    public String sentinels() {
        return sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","));
    }

    public RedisServer master() {
        return master;
    }

    public RedisServer replica() {
        return replica;
    }

    /** The port the sentinels now name as master. */
    public int currentMasterPort() {
        try (Jedis sentinel = sentinels.get(0).client()) {
            return Integer.parseInt(
                    sentinel.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
        }
    }

    private void awaitReplicaInSync() {
        await().atMost(READY_LIMIT).ignoreExceptions().untilAsserted(() -> {
            try (Jedis jedis = replica.client()) {
                if (!jedis.info("replication").contains("master_link_status:up")) {
                    throw new IllegalStateException("replica not in sync yet");
                }
            }
        });
    }

    private void awaitSentinelsSeeEachOther() {
        await().atMost(READY_LIMIT).ignoreExceptions().untilAsserted(() -> {
            for (RedisServer sentinel : sentinels) {
                try (Jedis jedis = sentinel.client()) {
                    String info = jedis.info("sentinel");
                    if (!info.contains("sentinels=3") || !info.contains("slaves=1")) {
                        throw new IllegalStateException("sentinel " + sentinel.port() + " not ready: " + info);
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServer::kill);
        replica.kill();
        master.kill();
    }
}
