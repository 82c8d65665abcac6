package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code payara/cluster.sh} itself, on a cluster of its own: up from nothing, up again, a crashed instance
 * brought back, down leaving no process behind, and a Redis it did not start left alone.
 */
class ClusterScriptIT {

    private Cluster cluster;
    private RedisServer foreignRedis;

    @AfterEach
    void cleanUp() {
        if (cluster != null) {
            cluster.downAndPurge();
        }
        if (foreignRedis != null) {
            foreignRedis.kill();
        }
    }

    @Test
    void bringsTheTopologyUpAndDownAgainLeavingNothingBehind() throws Exception {
        Path runDir = Path.of("target", "it-cluster-script");
        deleteRecursively(runDir);
        // No ADMIN_TOKEN: cluster.sh generates one and keeps it to itself.
        cluster = new Cluster(runDir, Map.of("START_TIMEOUT", "240", "TICKETS", "25"));

        String up = cluster.up();

        assertTrue(up.contains("ticketrush is up"), up);
        assertTrue(
                up.matches("(?s).*\n  instances ready: 4/4 \\(\\d+s\\)\nnginx: started.*"),
                "the last readiness line, as the README shows it, says 4/4: " + up);
        assertFalse(up.contains("\u001b"), "no terminal escapes (Maven's colour resets) in up's output");
        Path tokenFile = cluster.runDir().resolve("admin-token");
        String token = Files.readString(tokenFile).trim();
        assertEquals(
                Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(tokenFile),
                "the token file is private");
        assertTrue(up.contains(token), "the token is printed");
        // Ten reads go round all four instances (weights 1-4), each read's first: once up says so, none of them is
        // still too cold to answer within nginx's limit (the first database read of a JVM takes seconds).
        for (int i = 0; i < 10; i++) {
            Api.Answer sale = cluster.nginx().admin("GET", "default", null, token);
            assertEquals(200, sale.status(), "read " + i + ": " + sale.body());
            assertEquals(25, sale.data().getInt("tickets"), "up opened the default sale");
        }
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            String ready = cluster.instance(i).get("health/ready").body();
            assertTrue(ready.contains("{\"name\":\"order-database-warm-up\",\"status\":\"UP\""), ready);
        }
        String status = cluster.status();
        assertEquals(
                7,
                status.lines().filter(line -> line.matches("\\S+\\s+up\\s.*")).count(),
                status);
        String recorded = Cluster.script(cluster.runDir(), "status", Map.of());
        assertEquals(status, recorded, "status without up's variables finds the cluster by up's record");
        assertTrue(recorded.contains("port " + cluster.nginx().base().getPort()), recorded);
        List<Long> pids = cluster.pids();
        assertEquals(7, pids.size(), "Redis, PostgreSQL, four instances, nginx");

        String again = cluster.up();
        assertEquals(7, count(again, "already running"), again);
        assertEquals(pids, cluster.pids(), "a second up starts nothing");

        long crashed = cluster.instancePid(2);
        cluster.kill(2);
        assertTrue(cluster.status().contains("instance-2  down"));
        String revived = cluster.up();
        assertTrue(revived.contains("instance-2: starting"), revived);
        assertNotEquals(crashed, cluster.instancePid(2));
        assertEquals(200, cluster.instance(2).get("health/ready").status());
        assertEquals(
                25,
                cluster.nginx().admin("GET", "default", null, token).data().getInt("tickets"),
                "a second up leaves the open sale as it is");

        List<Long> running = cluster.pids();
        cluster.down();

        for (long pid : running) {
            assertFalse(Cluster.alive(pid), "pid " + pid + " still running after down");
        }
        assertTrue(cluster.pids().isEmpty(), "pid files removed");
        String downAgain = cluster.down();
        assertEquals(7, count(downAgain, "not running"), downAgain);
        Cluster.purgeDatabase(cluster.runDir());
        cluster = null;
    }

    @Test
    void usesARedisAlreadyRunningAndLeavesItRunningAndLimitsEachClientsRate() throws Exception {
        foreignRedis = RedisServer.start(Path.of("target", "it-foreign-redis"));
        Path runDir = Path.of("target", "it-cluster-foreign");
        deleteRecursively(runDir);
        cluster = new Cluster(
                runDir,
                Cluster.testEnv(Map.of(
                        "REDIS_PORT",
                        Integer.toString(foreignRedis.port()),
                        "WEIGHTS",
                        "1",
                        "RATE_LIMIT",
                        "5",
                        "RATE_BURST",
                        "5")));

        String up = cluster.up();

        assertTrue(up.contains("already answers on 127.0.0.1:" + foreignRedis.port()), up);
        assertEquals(1, cluster.nginx().buy("default", "sam").code());
        int limited = 0;
        for (int i = 0; i < 40; i++) {
            Api.Answer answer = cluster.nginx().get("orders/default-1-abcdef");
            if (answer.status() == 429) {
                limited++;
                assertEquals(-429, answer.code(), "nginx answers the limit in the JSON envelope");
                assertEquals("1", answer.header("Retry-After"));
            } else {
                assertEquals(404, answer.status());
            }
        }
        assertTrue(
                limited > 20, "40 requests at once from one address, 5/s with a burst of 5: " + limited + " limited");
        cluster.down();
        Cluster.purgeDatabase(cluster.runDir());
        cluster = null;
        try (var redis = foreignRedis.client()) {
            assertEquals("PONG", redis.ping(), "a Redis cluster.sh did not start is not stopped");
            assertEquals("1", redis.hget("tr:{default}:stock", "reserved"));
        }
    }

    private static int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
