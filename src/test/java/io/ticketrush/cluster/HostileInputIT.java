package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

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
 * Thousands of generated malformed requests at nginx and at one instance directly: every answer is a 4xx in
 * the JSON envelope, never a 5xx or a stack trace, nothing is sold by them, and the service stays healthy.
 */
@ExtendWith(SharedCluster.class)
class HostileInputIT {

    private static final int REQUESTS_PER_TARGET = 2_000;
    private static final String FORM = "application/x-www-form-urlencoded";

    @Test
    void answersEveryMalformedRequestWithAJsonClientError(Cluster cluster) throws Exception {
        String event = Deployments.newEventId("hostile");
        cluster.nginx().openSale(event, 10, 600);
        Map<Integer, Integer> statuses = new HashMap<>();

        attack(cluster.nginx().base().getPort(), event, true, new Random(42), statuses);
        attack(cluster.instancePort(1), event, false, new Random(7), statuses);

        assertTrue(statuses.values().stream().mapToInt(Integer::intValue).sum() >= 2 * REQUESTS_PER_TARGET);
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

    private static void attack(int port, String event, boolean throughNginx, Random random, Map<Integer, Integer> statuses) {
        for (int i = 0; i < REQUESTS_PER_TARGET; i++) {
            Hostile request = generate(random, event, throughNginx);
            Api.Answer answer = RawHttp.exchange(port, request.head, request.body);
            String what = (throughNginx ? "nginx" : "instance") + " <- " + request.description;
            statuses.merge(answer.status(), 1, Integer::sum);
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

    private record Hostile(String description, String head, byte[] body) {
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
                    "multipart/form-data; boundary=x", "image/png").get(random.nextInt(5)), "userId=abc&eventId=" + event);
            case 6 -> random.nextInt(10) == 0 ? hugeBody(random, event) : withType("no content type", null, "userId=x&eventId=" + event);
            case 7 -> admin(random, event);
            case 8 -> path(random, throughNginx);
            case 9 -> {
                String method = List.of("DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO").get(random.nextInt(6));
                yield request("method " + method, method + " /buy/ticket HTTP/1.1", null, new byte[0]);
            }
            case 10 -> request("percent garbage in the path", "GET /buy/%" + (char) ('g' + random.nextInt(10)) + "z HTTP/1.1", null, new byte[0]);
            default -> new Hostile("protocol garbage", garbageLine(random), new byte[0]);
        };
    }

    private static Hostile form(String description, String body) {
        return withType(description, FORM, body);
    }

    private static Hostile withType(String description, String type, String body) {
        return request(description, "POST /buy/ticket HTTP/1.1", type, body.getBytes(StandardCharsets.ISO_8859_1));
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
        return request(description, "POST /buy/ticket HTTP/1.1", FORM, body);
    }

    private static Hostile hugeBody(Random random, String event) {
        byte[] body = ("userId=big&eventId=" + event + "&pad=" + "x".repeat((2 + random.nextInt(3)) * 1024 * 1024))
                .getBytes(StandardCharsets.US_ASCII);
        return request("a body of several MB", "POST /buy/ticket HTTP/1.1", FORM, body);
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
        return new Hostile("admin JSON " + body + (authorized ? "" : " without the token"), head,
                body.getBytes(StandardCharsets.US_ASCII));
    }

    private static Hostile path(Random random, boolean throughNginx) {
        List<String> paths = new java.util.ArrayList<>(List.of("/admin/events/../../x", "/buy/ticket/../../orders/x",
                "/./buy/./ticket/../../x", "/orders/" + "z".repeat(500), "/orders/x-1-a/pay/more", "/WEB-INF/web.xml",
                "/META-INF/MANIFEST.MF", "/buy", "/buy/ticket/", "/admin", "/admin/events/%7Bx%7D", "/.env",
                "/admin/events/" + "e".repeat(80)));
        if (throughNginx) {
            // Paths that climb above the root or hide a NUL or a slash in an escape: nginx refuses them; Payara's
            // HTTP layer, reached directly, answers an empty 400 before any application code runs.
            paths.addAll(List.of("/../../etc/passwd", "/buy/ticket/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                    "/admin/events/a%2Fb", "/orders/%00"));
        }
        String target = paths.get(random.nextInt(paths.size()));
        String method = random.nextBoolean() ? "GET" : "POST";
        return request("path " + target, method + " " + target + " HTTP/1.1", null, new byte[0]);
    }

    private static Hostile request(String description, String requestLine, String type, byte[] body) {
        StringBuilder head = new StringBuilder(requestLine).append("\r\nHost: localhost\r\nConnection: close");
        if (type != null) {
            head.append("\r\nContent-Type: ").append(type);
        }
        if (body.length > 0 || requestLine.startsWith("POST") || requestLine.startsWith("PUT")) {
            head.append("\r\nContent-Length: ").append(body.length);
        }
        return new Hostile(description, head.toString(), body);
    }

    private static String garbageLine(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "GARBAGE";
            case 1 -> "GET /buy/ticket HTTX/1.1\r\nHost: localhost";
            case 2 -> "GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: localhost";
            default -> "GET / HTTP/1.1\r\nHost: localhost\r\nX-Huge: " + "h".repeat(20_000);
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
