package io.ticketrush.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A real Redis Cluster of {@code n} masters (no replicas) on free loopback ports, made by {@code redis-cli
 * --cluster create} like an operator would, and killed when closed. Each node's cluster bus gets a free port of
 * its own, so nothing depends on port + 10000 being free.
 */
public final class RedisClusterServers implements AutoCloseable {

    private static final Duration READY_LIMIT = Duration.ofSeconds(30);

    private final List<RedisServer> masters = new ArrayList<>();

    private RedisClusterServers() {}

    public static RedisClusterServers start(Path dir, int masters) {
        RedisClusterServers cluster = new RedisClusterServers();
        TestDirs.fresh(dir);
        try {
            for (int i = 1; i <= masters; i++) {
                cluster.masters.add(RedisServer.start(
                        dir.resolve("node-" + i),
                        FreePorts.any(),
                        List.of(
                                "--cluster-enabled",
                                "yes",
                                "--cluster-config-file",
                                "nodes.conf",
                                "--cluster-port",
                                Integer.toString(FreePorts.any()),
                                "--cluster-node-timeout",
                                "2000")));
            }
            cluster.create();
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** The masters as {@code redis.nodes} takes them: host:port, comma-separated. */
    public String nodes() {
        return masters.stream().map(m -> "127.0.0.1:" + m.port()).collect(Collectors.joining(","));
    }

    public List<RedisServer> masters() {
        return List.copyOf(masters);
    }

    private void create() {
        List<String> command = new ArrayList<>(
                List.of(Binaries.require("redis-cli", "redis-tools").toString(), "--cluster", "create"));
        masters.forEach(m -> command.add("127.0.0.1:" + m.port()));
        command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed:\n" + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        // Every node must agree the cluster is whole before a client asks it for the slot map.
        await().atMost(READY_LIMIT).ignoreExceptions().untilAsserted(() -> {
            for (RedisServer master : masters) {
                try (Jedis jedis = master.client()) {
                    if (!jedis.clusterInfo().contains("cluster_state:ok")
                            || jedis.clusterNodes()
                                            .lines()
                                            .filter(l -> l.contains("master"))
                                            .count()
                                    != masters.size()) {
                        throw new IllegalStateException("cluster not ready on " + master.port());
                    }
                }
            }
        });
    }

    @Override
    public void close() {
        masters.forEach(RedisServer::kill);
    }
}
