package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import jakarta.json.Json;
import jakarta.json.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.RawHttp;
import io.ticketrush.testsupport.SharedCluster;

/**
 * Thousands of generated malformed requests at nginx and at one instance directly: every answer is the 4xx its
 * kind of request calls for, in the JSON envelope, never a 5xx or a stack trace; nothing is sold by them, and the
 * service stays healthy. The requests come from fixed seeds, so each run sends the same ones.
 */
@ExtendWith(SharedCluster.class)
class HostileInputIT {

    private static final int REQUESTS_PER_TARGET = 2_000;
    private static final String FORM = "application/x-www-form-urlencoded";

    @Test
    void answersEveryMalformedRequestWithAJsonClientError(Cluster cluster) throws Exception {
        String event = Deployments.newEventId("hostile");
        cluster.nginx().openSale(event, 10, 600);
        Map<Integer, Integer> expected = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();

        attack(cluster.nginx().base().getPort(), event, true, new Random(42), expected, statuses, unexpected);
        attack(cluster.instancePort(1), event, false, new Random(7), expected, statuses, unexpected);

        assertEquals(expected, statuses, "answers by status; requests answered otherwise than their kind calls for:\n"
                + String.join("\n", unexpected.subList(0, Math.min(unexpected.size(), 40))));
        assertEquals(List.of(), unexpected, "a request answered with another request's status");
        assertEquals(10, cluster.nginx().eventStatus(event).data().getInt("available"), "nothing was sold");
        assertEquals(200, cluster.nginx().get("health/ready").status());
        assertEquals(200, cluster.instance(1).get("health/ready").status());
        assertEquals(1, cluster.nginx().buy(event, "an-honest-buyer").code(), "a normal purchase still works");
        assertEquals(1, cluster.instance(1).buy(event, "another-honest-buyer").code());
        System.out.println("Hostile input answered with statuses " + statuses);
    }

    @Test
    void neverWritesTheAdminTokenToALog(Cluster cluster) throws Exception {
        cluster.nginx().eventStatus("default");
        cluster.nginx().admin("GET", "default", null, "a-wrong-token");
        try (var files = Files.walk(cluster.runDir())) {
            for (Path log : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                assertFalse(Files.readString(log, StandardCharsets.ISO_8859_1).contains(Api.ADMIN_TOKEN),
                        "the admin token appears in " + log);
            }
        }
    }

    /**
     * Sends {@link #REQUESTS_PER_TARGET} generated requests to {@code port}, counting the statuses each kind calls
     * for in {@code expected} and those answered in {@code statuses}; a request answered with another status than
     * its own goes into {@code unexpected}. Anything but a JSON 4xx fails at once.
     */
    private static void attack(int port, String event, boolean throughNginx, Random random, Map<Integer, Integer> expected,
            Map<Integer, Integer> statuses, List<String> unexpected) {
        for (int i = 0; i < REQUESTS_PER_TARGET; i++) {
            Hostile request = generate(random, event, throughNginx);
            Api.Answer answer = RawHttp.exchange(port, request.head, request.body);
            String what = (throughNginx ? "nginx" : "instance") + " <- " + request.description;
            expected.merge(request.expected, 1, Integer::sum);
            statuses.merge(answer.status(), 1, Integer::sum);
            if (answer.status() != request.expected) {
                unexpected.add(what + ": expected " + request.expected + ", answered " + answer.status());
            }
            assertTrue(answer.status() >= 400 && answer.status() < 500, what + " -> HTTP " + answer.status() + " " + answer.body());
            assertFalse(answer.body().contains("Exception") || answer.body().contains("\tat "), what + " leaked a stack trace");
            JsonObject json;
            try {
                json = Json.createReader(new StringReader(answer.body())).readObject();
            } catch (RuntimeException e) {
                throw new AssertionError(what + " -> HTTP " + answer.status() + " without the JSON envelope: " + answer.body(), e);
            }
            assertEquals(-answer.status(), json.getInt("code"), what);
            assertFalse(json.getString("msg").isBlank(), what);
        }
    }

    /** A malformed request and the status it calls for. */
    private record Hostile(String description, String head, byte[] body, int expected) {
    }

    private static Hostile generate(Random random, String event, boolean throughNginx) {
        int kind = random.nextInt(throughNginx ? 12 : 10);
        return switch (kind) {
            case 0 -> form("random bytes in userId", "userId=" + percentBytes(random, 1 + random.nextInt(40), true)
                    + "&eventId=" + event);
            case 1 -> rawForm("raw non-ASCII bytes in the body", random, event);
            case 2 -> form("over-long userId", "userId=" + "u".repeat(65 + random.nextInt(4_000)) + "&eventId=" + event);
            case 3 -> form("repeated userId", "userId=a" + random.nextInt(1000) + "&userId=b&eventId=" + event);
            case 4 -> form("illegal eventId", "userId=fine&eventId=" + percentBytes(random, 1 + random.nextInt(20), true));
            case 5 -> withType("wrong content type", List.of("application/json", "text/plain", "application/xml",
                    "multipart/form-data; boundary=x", "image/png").get(random.nextInt(5)), "userId=abc&eventId=" + event, 415);
            case 6 -> random.nextInt(10) == 0 ? hugeBody(random, event)
                    : withType("no content type", null, "userId=x&eventId=" + event, 415);
            case 7 -> admin(random, event);
            case 8 -> path(random, throughNginx);
            case 9 -> {
                // TRACE too: nginx refuses it itself, and the WAR answers it like any method but POST.
                String method = List.of("DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO").get(random.nextInt(6));
                yield request("method " + method, method + " /buy/ticket HTTP/1.1", null, new byte[0], 405);
            }
            case 10 -> request("percent garbage in the path", "GET /buy/%" + (char) ('g' + random.nextInt(10)) + "z HTTP/1.1",
                    null, new byte[0], 400);
            default -> garbage(random);
        };
    }

    private static Hostile form(String description, String body) {
        return withType(description, FORM, body, 400);
    }

    private static Hostile withType(String description, String type, String body, int expected) {
        return request(description, "POST /buy/ticket HTTP/1.1", type, body.getBytes(StandardCharsets.ISO_8859_1), expected);
    }

    private static Hostile rawForm(String description, Random random, String event) {
        byte[] junk = new byte[1 + random.nextInt(60)];
        random.nextBytes(junk);
        for (int i = 0; i < junk.length; i++) {
            if (junk[i] >= 0) {
                junk[i] = (byte) (junk[i] | 0x80);
            }
        }
        byte[] head = "userId=".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("&eventId=" + event).getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + junk.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(junk, 0, body, head.length, junk.length);
        System.arraycopy(tail, 0, body, head.length + junk.length, tail.length);
        return request(description, "POST /buy/ticket HTTP/1.1", FORM, body, 400);
    }

    private static Hostile hugeBody(Random random, String event) {
        byte[] body = ("userId=big&eventId=" + event + "&pad=" + "x".repeat((2 + random.nextInt(3)) * 1024 * 1024))
                .getBytes(StandardCharsets.US_ASCII);
        return request("a body of several MB", "POST /buy/ticket HTTP/1.1", FORM, body, 413);
    }

    private static Hostile admin(Random random, String event) {
        List<String> bodies = List.of("{\"tickets\":\"many\",\"holdSeconds\":60}", "{\"tickets\":-5,\"holdSeconds\":60}",
                "{\"tickets\":1e30,\"holdSeconds\":60}", "{\"tickets\":10}", "{\"holdSeconds\":10}", "[]", "{",
                "{\"tickets\":10,\"holdSeconds\":99999999999999999999}", "{\"tickets\":null,\"holdSeconds\":1}",
                "{\"tickets\":true,\"holdSeconds\":[1]}");
        String body = bodies.get(random.nextInt(bodies.size()));
        boolean authorized = random.nextBoolean();
        String head = "PUT /admin/events/" + event + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length()
                + (authorized ? "\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN : "\r\nAuthorization: Bearer guess" + random.nextInt());
        // The token is checked before the body is read: a caller without it learns nothing about the body.
        return new Hostile("admin JSON " + body + (authorized ? "" : " without the token"), head,
                body.getBytes(StandardCharsets.US_ASCII), authorized ? 400 : 401);
    }

    /** The status a path calls for, by method. */
    private record PathAnswer(int get, int post) {

        static PathAnswer always(int status) {
            return new PathAnswer(status, status);
        }
    }

    /**
     * Paths that name nothing (404), after resolving dot segments as any client would; and order ids, which exist
     * for GET only: looked up and not found, or 405 for POST.
     */
    private static Hostile path(Random random, boolean throughNginx) {
        PathAnswer order = new PathAnswer(404, 405);
        Map<String, PathAnswer> paths = new LinkedHashMap<>();
        paths.put("/admin/events/../../x", PathAnswer.always(404));
        paths.put("/buy/ticket/../../orders/x", order);
        paths.put("/./buy/./ticket/../../x", PathAnswer.always(404));
        paths.put("/orders/" + "z".repeat(500), order);
        paths.put("/orders/x-1-a/pay/more", PathAnswer.always(404));
        paths.put("/WEB-INF/web.xml", PathAnswer.always(404));
        paths.put("/META-INF/MANIFEST.MF", PathAnswer.always(404));
        paths.put("/buy", PathAnswer.always(404));
        paths.put("/buy/ticket/", PathAnswer.always(404));
        paths.put("/admin", PathAnswer.always(404));
        paths.put("/admin/events/%7Bx%7D", PathAnswer.always(404));
        paths.put("/.env", PathAnswer.always(404));
        paths.put("/admin/events/" + "e".repeat(80), PathAnswer.always(404));
        if (throughNginx) {
            // Paths that climb above the root or hide a NUL in an escape: nginx refuses them before any instance
            // sees them. An escaped slash passes nginx and names no event. HttpLayerErrorsIT sends such paths
            // straight to an instance.
            paths.put("/../../etc/passwd", PathAnswer.always(400));
            paths.put("/buy/ticket/../../../etc/passwd", PathAnswer.always(400));
            paths.put("/%2e%2e/%2e%2e/etc/passwd", PathAnswer.always(400));
            paths.put("/admin/events/a%2Fb", PathAnswer.always(404));
            paths.put("/orders/%00", PathAnswer.always(400));
        }
        String target = List.copyOf(paths.keySet()).get(random.nextInt(paths.size()));
        boolean get = random.nextBoolean();
        String method = get ? "GET" : "POST";
        int expected = get ? paths.get(target).get() : paths.get(target).post();
        return request("path " + method + " " + target, method + " " + target + " HTTP/1.1", null, new byte[0], expected);
    }

    private static Hostile request(String description, String requestLine, String type, byte[] body, int expected) {
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: localhost\r\nConnection: close");
        if (type != null) {
            head.append("\r\nContent-Type: ").append(type);
        }
        if (body.length > 0 || requestLine.startsWith("POST") || requestLine.startsWith("PUT")) {
            head.append("\r\nContent-Length: ").append(body.length);
        }
        return new Hostile(description, head.toString(), body, expected);
    }

    /** Requests nginx cannot parse or will not hold (large_client_header_buffers, 8 KB a line). */
    private static Hostile garbage(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> new Hostile("no request line", "GARBAGE", new byte[0], 400);
            case 1 -> new Hostile("an unknown protocol", "GET /buy/ticket HTTX/1.1\r\nHost: localhost", new byte[0], 400);
            case 2 -> new Hostile("a request line over 8 KB", "GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: localhost",
                    new byte[0], 414);
            default -> new Hostile("a header over 8 KB", "GET / HTTP/1.1\r\nHost: localhost\r\nX-Huge: " + "h".repeat(20_000),
                    new byte[0], 400);
        };
    }

    /** {@code count} random bytes percent-encoded; with {@code illegal}, at least one is outside the id charset. */
    private static String percentBytes(Random random, int count, boolean illegal) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append('%').append(String.format("%02X", random.nextInt(256)));
        }
        if (illegal) {
            out.append("%FF");
        }
        return out.toString();
    }
}
