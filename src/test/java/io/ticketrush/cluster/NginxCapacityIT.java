package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Binaries;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Crowd;
import io.ticketrush.testsupport.FreePorts;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.TestDirs;
import io.ticketrush.web.buyer.PurchaseServlet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

/**
 * nginx alone, as cluster.sh configures it (nginx/nginx.conf.template, rendered by payara/lib/nginx.sh), with
 * NGINX_MAX_ACTIVE set tiny and a stand-in in place of the instances: a client beyond what nginx works on at once
 * gets a JSON 503 with Retry-After at once, never a reset or a bare 502; and a shared "sold out" that has run out is
 * never given to the request that asks for the next one when its instance fails it.
 */
class NginxCapacityIT {

    private static final int MAX_ACTIVE = 3;
    private static final int CLIENTS = 30;
    /** How long the stand-in instance takes to answer: long enough that the crowd's requests overlap. */
    private static final long UPSTREAM_MILLIS = 400;

    /** What the stand-in answers. */
    private enum Mode {
        /** After UPSTREAM_MILLIS, a reservation. */
        SLOW_RESERVED,
        /** At once, "sold out" marked shareable for the rest of this second, with the instance's own headers. */
        SHARED_SOLD_OUT,
        /** Nothing: the connection closed, as by an instance that died with the request. */
        CUT
    }

    private static volatile Mode mode = Mode.SLOW_RESERVED;
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
            exchange.getRequestBody().readAllBytes();
            String json = switch (mode) {
                case SLOW_RESERVED -> {
                    Pause.millis(UPSTREAM_MILLIS);
                    yield "{\"code\":1,\"msg\":\"reserved\",\"data\":null}";
                }
                case SHARED_SOLD_OUT -> {
                    // The instance's own extensions; its lifetime as max-age rather than X-Accel-Expires, which nginx
                    // only reads after Cache-Control (the instance sends them in that order; this server's headers
                    // have no order): kept to the end of the next second.
                    exchange.getResponseHeaders()
                            .add("Cache-Control", "max-age=1, " + PurchaseServlet.EDGE_CACHE_CONTROL);
                    yield "{\"code\":-1,\"msg\":\"sold out\",\"data\":null}";
                }
                // The JDK's server closes the connection, unanswered, when its handler throws.
                case CUT -> throw new IllegalStateException("the stand-in instance dies with the request");
            };
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        port = FreePorts.any();
        Path conf = dir.resolve("nginx").resolve("nginx.conf");
        // cluster.sh's own rendering, for one upstream: the stand-in.
        bash(
                "RUN_DIR=$1 NGINX_PORT=$2 NGINX_MAX_ACTIVE=$3; ROOT=$4; source \"$ROOT/payara/lib/common.sh\";"
                        + " source \"$ROOT/payara/lib/settings.sh\"; source \"$ROOT/payara/lib/topology.sh\";"
                        + " source \"$ROOT/payara/lib/nginx.sh\"; INSTANCES=127.0.0.1:$5:1; parse_instances;"
                        + " check_nginx_limits; render_nginx_conf \"$6\"",
                dir.toString(),
                Integer.toString(port),
                Integer.toString(MAX_ACTIVE),
                basedir().toString(),
                Integer.toString(upstream.getAddress().getPort()),
                conf.toString());
        Process started = new ProcessBuilder(
                        nginx.toString(),
                        "-p",
                        dir.resolve("nginx").toString(),
                        "-e",
                        dir.resolve("nginx").resolve("error.log").toString(),
                        "-c",
                        conf.toString())
                .inheritIO()
                .start();
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
        mode = Mode.SLOW_RESERVED;
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
                // -3, as an instance's "busy": nothing reached an instance, the page sends the same purchase again.
                assertEquals(-3, answer.code(), answer.body());
                assertEquals(
                        "too many requests at once, retry shortly",
                        answer.json().getString("msg"));
                assertEquals("1", answer.header("Retry-After"));
                assertTrue(
                        timed.millis() < UPSTREAM_MILLIS,
                        "answered at once, not after waiting: " + timed.millis() + " ms");
            } else {
                assertEquals(200, answer.status(), answer.body());
            }
        }
        assertEquals(CLIENTS, answers.size());
        assertTrue(byKind.getOrDefault("200 1", 0) >= MAX_ACTIVE, "as many as nginx works on got through: " + byKind);
        assertTrue(byKind.getOrDefault("503 -3", 0) > 0, "the rest were told to retry: " + byKind);
        assertEquals(CLIENTS, byKind.getOrDefault("200 1", 0) + byKind.getOrDefault("503 -3", 0), byKind.toString());
    }

    @Test
    void neverAnswersTheRequestThatAsksForTheNextSharedAnswerFromTheOldOneWhenItsInstanceFailsIt() {
        Api api = Api.onPort(port);
        mode = Mode.SHARED_SOLD_OUT;
        // Early in a second: the answer is kept to its end, and the next second is nginx's window of the old one.
        long second = System.currentTimeMillis() / 1000 + 1;
        Pause.millis(second * 1000 + 50 - System.currentTimeMillis());
        Api.Answer first = api.post("buy/ticket", Map.of("userId", "s1", "eventId", "stale"));
        Api.Answer kept = api.post("buy/ticket", Map.of("userId", "s2", "eventId", "stale"));
        assertEquals(-1, first.code(), first.body());
        assertEquals("HIT", kept.header("X-Cache-Status"), "nginx shares the stand-in's sold out: " + kept.body());
        assertEquals(second, System.currentTimeMillis() / 1000, "the first two were answered within one second");

        mode = Mode.CUT;
        try {
            Pause.millis((second + 2) * 1000 + 50 - System.currentTimeMillis());
            Api.Answer next = api.post("buy/ticket", Map.of("userId", "s3", "eventId", "stale"));
            assertTrue(
                    System.currentTimeMillis() < (second + 3) * 1000,
                    "asked in the second after the kept answer's, while nginx may still give it to others");
            // The instance may have reserved this buyer a ticket before it died: not "sold out", but an answer that
            // makes the page ask again with retry=true.
            assertEquals(503, next.status(), next.body());
            assertEquals(-503, next.code(), next.body());
            assertEquals("1", next.header("Retry-After"));
        } finally {
            // nginx took the stand-in out for fail_timeout: back before the other test.
            mode = Mode.SLOW_RESERVED;
            await().atMost(Duration.ofSeconds(15))
                    .ignoreExceptions()
                    .untilAsserted(() -> assertEquals(
                            1,
                            api.post("buy/ticket", Map.of("userId", "back", "eventId", "e"))
                                    .code()));
        }
    }

    private record Timed(Api.Answer answer, long millis) {}

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
        assertTrue(
                Files.readString(Path.of(arguments[arguments.length - 1]))
                        .contains("limit_conn active " + MAX_ACTIVE + ";"),
                "the configuration holds NGINX_MAX_ACTIVE");
    }
}
