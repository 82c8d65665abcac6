package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.FreePorts;
import io.ticketrush.testsupport.TestDirs;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code payara/cluster.sh} over two hosts, as docs/operations.md's "Running on several hosts" describes them. This
 * machine plays both: every 127.0.0.0/8 address is loopback on Linux, so host A is 127.0.0.2 (Redis,
 * PostgreSQL, nginx and instance-1) and host B is 127.0.0.3 (instance-2 only), each with its own run
 * directory and its own cluster.sh, each given the same INSTANCES list. Every server listens on its host's
 * address only, so B's instance reaches A's Redis and PostgreSQL the way it would over a network.
 */
class MultiHostIT {

    private static final String HOST_A = "127.0.0.2";
    private static final String HOST_B = "127.0.0.3";
    private static final String TOKEN = "multi-host-token";
    private static final int TICKETS = 300;
    private static final int BUYERS = 600;

    private final List<Path> started = new ArrayList<>();

    @AfterEach
    void downOnEveryHost() {
        // B first, as an operator would take a host out; each down stops only its own run directory's pids.
        for (int i = started.size() - 1; i >= 0; i--) {
            Cluster.tryScript(started.get(i), "down", Map.of());
            Cluster.purgeDatabase(started.get(i));
        }
    }

    @Test
    void refusesAListItCannotRunBeforeStartingAnything() {
        Path runDir = TestDirs.fresh(Path.of("target", "it-multi-host-refused"));
        Map<String, String> ports = Map.of(
                "NGINX_PORT",
                Integer.toString(FreePorts.any()),
                "REDIS_PORT",
                Integer.toString(FreePorts.any()),
                "PG_PORT",
                Integer.toString(FreePorts.any()));

        assertRefused(
                runDir,
                with(ports, "INSTANCES", "127.0.0.1:3001:1 10.0.0.5:3001"),
                "INSTANCES entry 2 '10.0.0.5:3001' is not host:port:weight");
        assertRefused(
                runDir,
                with(ports, "INSTANCES", "127.0.0.1:3001:1,127.0.0.1:3001:2"),
                "127.0.0.1:3001 is listed twice");
        assertRefused(runDir, with(ports, "INSTANCES", "127.0.0.1:3001:0"), "the weight must be at least 1");
        assertRefused(runDir, with(ports, "REDIS_BIND", "0.0.0.0"), "without a password; set REDIS_PASSWORD");
        assertRefused(runDir, with(ports, "SERVICES", "instances web"), "unknown service 'web'");
        assertRefused(
                runDir,
                with(ports, "SERVICES", "instances", "ADMIN_TOKEN", TOKEN),
                "DB_PASSWORD is not set: give this host the password of the host running postgres");
        assertRefused(
                runDir,
                with(ports, "SERVICES", "instances", "DB_PASSWORD", "x"),
                "ADMIN_TOKEN is not set: give this host the token of the host running nginx");
        assertRefused(
                runDir,
                with(ports, "SERVICES", "instances", "ADMIN_TOKEN", TOKEN, "DB_PASSWORD", "x"),
                "QUEUE_SECRET is not set: give this host the key of the host running nginx");

        try (var files = Files.list(runDir)) {
            assertEquals(
                    Set.of(),
                    files.map(path -> path.getFileName().toString())
                            .filter(name -> !name.startsWith("cluster-sh-"))
                            .collect(Collectors.toSet()),
                    "nothing was started or written");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void twoHostsSellExactlyTheStockTheirInstancesShareAndAnInstanceIsAddedByListingIt() throws Exception {
        Path runA = TestDirs.fresh(Path.of("target", "it-multi-host", "a"));
        Path runB = TestDirs.fresh(Path.of("target", "it-multi-host", "b"));
        int port1 = FreePorts.any();
        int port2 = FreePorts.any();
        int port3 = FreePorts.any();
        int nginxPort = FreePorts.any();
        int redisPort = FreePorts.any();
        int pgPort = FreePorts.any();
        String twoInstances = HOST_A + ":" + port1 + ":1," + HOST_B + ":" + port2 + ":3";
        Map<String, String> shared = Map.of(
                "INSTANCES",
                twoInstances,
                "REDIS_PORT",
                Integer.toString(redisPort),
                "PG_PORT",
                Integer.toString(pgPort),
                "REDIS_PASSWORD",
                "multi-host-redis",
                "ADMIN_TOKEN",
                TOKEN,
                "START_TIMEOUT",
                "240");
        Map<String, String> hostA = with(
                shared,
                "HOST_ADDRESS",
                HOST_A,
                "REDIS_BIND",
                HOST_A,
                "PG_LISTEN",
                HOST_A,
                "NGINX_BIND",
                HOST_A,
                "NGINX_PORT",
                Integer.toString(nginxPort),
                "TICKETS",
                "1");

        started.add(runA);
        String upA = Cluster.script(runA, "up", hostA);
        assertTrue(upA.contains("instance-1: starting"), upA);
        assertFalse(upA.contains("instance-2: starting"), "instance-2 is host B's: " + upA);
        String dbPassword = Files.readString(runA.resolve("db-password")).trim();
        String queueSecret = Files.readString(runA.resolve("queue-secret")).trim();

        Map<String, String> hostB = with(
                shared,
                "HOST_ADDRESS",
                HOST_B,
                "SERVICES",
                "instances",
                "REDIS_HOST",
                HOST_A,
                "DB_HOST",
                HOST_A,
                "DB_PASSWORD",
                dbPassword,
                "QUEUE_SECRET",
                queueSecret);
        started.add(runB);
        String upB = Cluster.script(runB, "up", hostB);
        assertTrue(upB.contains("instance-2: starting"), upB);
        assertTrue(upB.contains("1 of 2 instances"), upB);
        assertFalse(Files.exists(runB.resolve("redis")), "B runs no Redis");
        assertFalse(Files.exists(runB.resolve("postgres")), "B runs no PostgreSQL");
        assertFalse(Files.exists(runB.resolve("nginx")), "B runs no nginx");

        // Each server listens on its own host's address only.
        assertTrue(listening(HOST_A, port1) && !listening("127.0.0.1", port1), "instance-1 on A's address only");
        assertTrue(listening(HOST_B, port2) && !listening("127.0.0.1", port2), "instance-2 on B's address only");
        assertTrue(listening(HOST_A, redisPort) && !listening(HOST_B, redisPort), "Redis on A's address only");
        assertTrue(listening(HOST_A, pgPort) && !listening(HOST_B, pgPort), "PostgreSQL on A's address only");
        assertTrue(listening(HOST_A, nginxPort) && !listening("127.0.0.1", nginxPort), "nginx on A's address only");

        String statusA = Cluster.script(runA, "status", hostA);
        assertTrue(statusA.lines().anyMatch(line -> line.matches("instance-1\\s+up\\s+pid .*")), statusA);
        assertTrue(
                statusA.lines()
                        .anyMatch(line -> line.matches("instance-2\\s+up\\s+" + HOST_B + ":" + port2
                                + "\\s+weight 3\\s+\\(on another host\\)")),
                statusA);
        String statusB = Cluster.script(runB, "status", hostB);
        assertTrue(statusB.lines().anyMatch(line -> line.matches("instance-2\\s+up\\s+pid .*")), statusB);
        assertTrue(
                statusB.lines()
                        .anyMatch(line ->
                                line.matches("redis\\s+up\\s+" + HOST_A + ":" + redisPort + " \\(on another host\\)")),
                statusB);
        assertTrue(statusB.contains("nginx       elsewhere"), statusB);

        Api nginx = new Api(URI.create("http://" + HOST_A + ":" + nginxPort + "/"));
        Api first = new Api(URI.create("http://" + HOST_A + ":" + port1 + "/"));
        Api second = new Api(URI.create("http://" + HOST_B + ":" + port2 + "/"));
        // The instances know each other through Redis's heartbeats, not through a list given to them.
        assertClusterWeight(4, first, second);
        assertEquals(
                200,
                nginx.admin("PUT", "two-hosts", "{\"tickets\":" + TICKETS + ",\"holdSeconds\":300}", TOKEN)
                        .status());
        Map<String, Integer> sold = sell(nginx, "two-hosts", "buyer-");
        assertEquals(Set.of("instance-1", "instance-2"), sold.keySet(), "both hosts sold: " + sold);
        assertTrue(sold.get("instance-2") > sold.get("instance-1"), "weight 3 sells more than weight 1: " + sold);

        // The orders reach PostgreSQL on A, whichever host's instance took them.
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(TICKETS, ordersInDatabase(pgPort, dbPassword, "two-hosts")));

        // Adding an instance: list it, run up on its host. nginx (on A) reloads with the longer list.
        String threeInstances = twoInstances + "," + HOST_A + ":" + port3 + ":2";
        long nginxPid = Cluster.pid(runA.resolve("nginx").resolve("nginx.pid"));
        String grown = Cluster.script(runA, "up", with(hostA, "INSTANCES", threeInstances));
        assertTrue(grown.contains("instance-3: starting"), grown);
        assertTrue(grown.contains("nginx: configuration changed, reloaded"), grown);
        assertEquals(nginxPid, Cluster.pid(runA.resolve("nginx").resolve("nginx.pid")), "reloaded, not restarted");
        assertClusterWeight(1 + 3 + 2, first, second);
        // A reload retires nginx's old workers, closing their idle keep-alive connections: a request sent on one
        // at that instant is never read (the client sees the connection closed; a real one retries). New
        // connections, so that this sale is about what the reloaded nginx does, not about that race.
        nginx = new Api(nginx.base());
        assertEquals(
                200,
                nginx.admin("PUT", "three-instances", "{\"tickets\":" + TICKETS + ",\"holdSeconds\":300}", TOKEN)
                        .status());
        Map<String, Integer> soldByThree = sell(nginx, "three-instances", "later-");
        assertEquals(
                Set.of("instance-1", "instance-2", "instance-3"),
                soldByThree.keySet(),
                "all three sold: " + soldByThree);

        // Host B leaves: its down stops its instance only, and A's nginx sells on without it.
        long instance2 = Cluster.pid(runB.resolve("instance-2").resolve("instance.pid"));
        List<Long> pidsA = List.of(
                Cluster.pid(runA.resolve("instance-1").resolve("instance.pid")),
                Cluster.pid(runA.resolve("instance-3").resolve("instance.pid")),
                nginxPid,
                Cluster.pid(runA.resolve("redis").resolve("redis.pid")),
                Cluster.pid(runA.resolve("postgres").resolve("data").resolve("postmaster.pid")));
        Cluster.script(runB, "down", hostB);
        assertFalse(Cluster.alive(instance2), "B's instance stopped");
        assertTrue(pidsA.stream().allMatch(Cluster::alive), "A's processes untouched by B's down");
        assertClusterWeight(1 + 2, first);
        assertEquals(
                200,
                nginx.admin("PUT", "after-b", "{\"tickets\":20,\"holdSeconds\":300}", TOKEN)
                        .status());
        Map<String, Integer> soldWithoutB = sell(nginx, "after-b", "last-", 20, 40);
        assertFalse(soldWithoutB.containsKey("instance-2"), "nothing sold by the stopped instance: " + soldWithoutB);

        Cluster.script(runA, "down", hostA);
        for (long pid : pidsA) {
            assertFalse(Cluster.alive(pid), "pid " + pid + " left running by down");
        }
    }

    /** Every instance named counts {@code weight} alive (the {@code ticketrush_cluster_weight} gauge). */
    private static void assertClusterWeight(int weight, Api... instances) {
        Pattern gauge = Pattern.compile("(?m)^ticketrush_cluster_weight\\{[^}]*\\} ([0-9.]+)$");
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            for (Api instance : instances) {
                Matcher line = gauge.matcher(instance.get("metrics").body());
                assertTrue(line.find(), "no ticketrush_cluster_weight on /metrics");
                assertEquals(weight, Double.parseDouble(line.group(1)), "weight alive");
            }
        });
    }

    private static Map<String, Integer> sell(Api nginx, String event, String prefix) {
        return sell(nginx, event, prefix, TICKETS, BUYERS);
    }

    /**
     * Sells the event's tickets to crowds of {@code buyers} new buyers until Redis has none left, and checks the
     * exact count: {@code tickets} successes, no buyer twice, every other answer "sold out". More than one
     * crowd may be needed: an instance whose local share is used up answers "sold out" until its next stock
     * refresh re-opens the share, and until a stopped instance's heartbeat has run out the others' shares add
     * up to less than the stock.
     * Returns the sales by instance.
     */
    private static Map<String, Integer> sell(Api nginx, String event, String prefix, int tickets, int buyers) {
        Map<Integer, Integer> codes = new HashMap<>();
        Map<String, Integer> soldBy = new HashMap<>();
        Set<String> winners = new HashSet<>();
        int answered = 0;
        for (int round = 0; round < 10 && available(nginx, event) > 0; round++) {
            String crowd = prefix + round + "-";
            List<Supplier<Api.Answer>> calls = IntStream.range(0, buyers)
                    .<Supplier<Api.Answer>>mapToObj(i -> () -> nginx.buy(event, crowd + i))
                    .toList();
            for (Api.Answer answer : Crowd.run(calls, 32)) {
                assertEquals(200, answer.status(), answer.body());
                answered++;
                codes.merge(answer.code(), 1, Integer::sum);
                if (answer.code() == 1) {
                    soldBy.merge(answer.header("X-Instance"), 1, Integer::sum);
                    assertTrue(winners.add(answer.data().getString("userId")), "no buyer twice");
                }
            }
        }
        assertEquals(tickets, codes.get(1), "exactly the tickets there are: " + codes);
        assertEquals(answered, codes.get(1) + codes.getOrDefault(-1, 0), "sold or sold out, nothing else: " + codes);
        JsonObject status = nginx.admin("GET", event, null, TOKEN).data();
        assertEquals(tickets, status.getInt("reserved"));
        assertEquals(0, status.getInt("available"));
        return soldBy;
    }

    private static long available(Api nginx, String event) {
        return nginx.admin("GET", event, null, TOKEN)
                .data()
                .getJsonNumber("available")
                .longValue();
    }

    private static long ordersInDatabase(int pgPort, String password, String event) {
        try (Connection db = DriverManager.getConnection(
                        "jdbc:postgresql://" + HOST_A + ":" + pgPort + "/ticketrush", "ticketrush", password);
                ResultSet rows = db.createStatement()
                        .executeQuery("SELECT count(*) FROM ticket_order WHERE event_id = '" + event + "'")) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception e) {
            throw new AssertionError("reading the orders table failed: " + e, e);
        }
    }

    private static void assertRefused(Path runDir, Map<String, String> settings, String message) {
        Cluster.Result result = Cluster.tryScript(runDir, "up", settings);
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(message), "expected '" + message + "' in: " + result.output());
    }

    private static boolean listening(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<String, String> with(Map<String, String> base, String... keysAndValues) {
        Map<String, String> settings = new HashMap<>(base);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return settings;
    }
}
