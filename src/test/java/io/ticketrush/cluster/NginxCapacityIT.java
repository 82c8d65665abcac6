package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Binaries;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.FreePorts;
import io.ticketrush.testsupport.TestDirs;

/**
 * nginx's own room, as cluster.sh configures it (nginx/nginx.conf.template, rendered by payara/lib/nginx.sh), with
 * NGINX_MAX_ACTIVE set tiny and one slow upstream in place of the instances: a client beyond what nginx works on at
 * once gets a JSON 503 with Retry-After at once, never a reset or a bare 502.
 */
class NginxCapacityIT {

    private static final int MAX_ACTIVE = 3;
    private static final int CLIENTS = 30;
    /** How long the stand-in instance takes to answer: long enough that the crowd's requests overlap. */
    private static final long UPSTREAM_MILLIS = 400;

    private static HttpServer upstream;
    private static Path dir;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Path nginx = Binaries.require("nginx", "nginx");
        dir = TestDirs.fresh(Path.of("target", "it-nginx-capacity")).toAbsolutePath();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newFixedThreadPool(CLIENTS));
        upstream.createContext("/", exchange -> {
            sleep(UPSTREAM_MILLIS);
            byte[] body = "{\"code\":1,\"msg\":\"reserved\",\"data\":null}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        port = FreePorts.any();
        Path conf = dir.resolve("nginx").resolve("nginx.conf");
        // cluster.sh's own rendering, for one upstream: the stand-in.
        bash("RUN_DIR=$1 NGINX_PORT=$2 NGINX_MAX_ACTIVE=$3; ROOT=$4; source \"$ROOT/payara/lib/common.sh\";"
                + " source \"$ROOT/payara/lib/settings.sh\"; source \"$ROOT/payara/lib/topology.sh\";"
                + " source \"$ROOT/payara/lib/nginx.sh\"; INSTANCES=127.0.0.1:$5:1; parse_instances;"
                + " check_nginx_limits; render_nginx_conf \"$6\"",
                dir.toString(), Integer.toString(port), Integer.toString(MAX_ACTIVE), basedir().toString(),
                Integer.toString(upstream.getAddress().getPort()), conf.toString());
        Process started = new ProcessBuilder(nginx.toString(), "-p", dir.resolve("nginx").toString(), "-e",
                dir.resolve("nginx").resolve("error.log").toString(), "-c", conf.toString()).inheritIO().start();
        assertTrue(started.waitFor(30, TimeUnit.SECONDS) && started.exitValue() == 0, "nginx started");
    }

    @AfterAll
    static void stop() {
        long pid = dir == null ? -1 : Cluster.pid(dir.resolve("nginx").resolve("nginx.pid"));
        ProcessHandle.of(pid).ifPresent(nginx -> {
            nginx.destroy();
            nginx.onExit().join();
        });
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void answersTheClientsBeyondWhatNginxWorksOnAtOnceWithAJson503AtOnce() {
        Api api = Api.onPort(port);
        List<Supplier<Timed>> crowd = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String buyer = "b" + i;
            crowd.add(() -> {
                long start = System.nanoTime();
                Api.Answer answer = api.post("buy/ticket", Map.of("userId", buyer, "eventId", "e"));
                return new Timed(answer, (System.nanoTime() - start) / 1_000_000);
            });
        }

        List<Timed> answers = Crowd.run(crowd, CLIENTS);

        Map<String, Integer> byKind = new TreeMap<>();
        for (Timed timed : answers) {
            Api.Answer answer = timed.answer();
            byKind.merge(answer.status() + " " + answer.code(), 1, Integer::sum);
            if (answer.status() == 503) {
                assertEquals("too many requests at once, retry shortly", answer.json().getString("msg"));
                assertEquals("1", answer.header("Retry-After"));
                assertTrue(timed.millis() < UPSTREAM_MILLIS, "answered at once, not after waiting: " + timed.millis() + " ms");
            } else {
                assertEquals(200, answer.status(), answer.body());
            }
        }
        assertEquals(CLIENTS, answers.size());
        assertTrue(byKind.getOrDefault("200 1", 0) >= MAX_ACTIVE, "as many as nginx works on got through: " + byKind);
        assertTrue(byKind.getOrDefault("503 -503", 0) > 0, "the rest were told to retry: " + byKind);
        assertEquals(CLIENTS, byKind.getOrDefault("200 1", 0) + byKind.getOrDefault("503 -503", 0), byKind.toString());
    }

    private record Timed(Api.Answer answer, long millis) {
    }

    private static Path basedir() {
        return Path.of(System.getProperty("ticketrush.basedir", ".")).toAbsolutePath();
    }

    private static void bash(String script, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, "bash"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin:/usr/sbin:/sbin"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "rendering failed: " + output);
        assertTrue(Files.readString(Path.of(arguments[arguments.length - 1])).contains("limit_conn active " + MAX_ACTIVE + ";"),
                "the configuration holds NGINX_MAX_ACTIVE");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
