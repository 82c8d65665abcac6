package io.ticketrush.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Cluster;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.RawHttp;
import io.ticketrush.testsupport.SharedCluster;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Thousands of generated malformed requests at nginx and at one instance directly: every answer is the 4xx its
 * kind of request calls for, in the JSON envelope, never a 5xx or a stack trace; nothing is sold by them, and the
 * service stays healthy. The requests come from fixed seeds, so each run sends the same ones.
 */
@ExtendWith(SharedCluster.class)
class HostileInputIT {

    private static final int REQUESTS_PER_TARGET = 2_000;
    private static final int QUEUE_REQUESTS_PER_TARGET = 800;
    private static final String FORM = "application/x-www-form-urlencoded";

    @Test
    void answersEveryMalformedRequestWithAJsonClientError(Cluster cluster) throws Exception {
        String event = Deployments.newEventId("hostile");
        cluster.nginx().openSale(event, 10, 600);
        Map<Integer, Integer> expected = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();

        Random throughNginx = new Random(42);
        Random direct = new Random(7);
        attack(
                cluster.nginx().base().getPort(),
                true,
                () -> generate(throughNginx, event, true),
                REQUESTS_PER_TARGET,
                expected,
                statuses,
                unexpected);
        attack(
                cluster.instancePort(1),
                false,
                () -> generate(direct, event, false),
                REQUESTS_PER_TARGET,
                expected,
                statuses,
                unexpected);

        assertEquals(
                expected,
                statuses,
                "answers by status; requests answered otherwise than their kind calls for:\n"
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
    void namesTheProblemOfAPathNginxRefusesAsAnInstanceWould(Cluster cluster) {
        Map<String, String> problems = Map.of(
                "/orders/%2e%2e%2f%2e%2e", "invalid URI: a path that climbs above the root",
                "/orders/a%00b", "invalid URI: a NUL byte",
                "/orders/%zz", "invalid URI: a % not followed by two hex digits");
        problems.forEach((path, problem) -> {
            Api.Answer answer = RawHttp.exchange(
                    cluster.nginx().base().getPort(),
                    "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close",
                    new byte[0]);
            assertEquals(400, answer.status(), path + " -> " + answer.body());
            assertEquals(problem, answer.json().getString("msg"), path);
            assertNull(answer.header("X-Instance"), "nginx's own answer: " + path);
        });
        Api.Answer garbage = RawHttp.exchange(cluster.nginx().base().getPort(), "GARBAGE", new byte[0]);
        assertEquals("malformed request", garbage.json().getString("msg"), "nothing to name: " + garbage.body());
    }

    @Test
    void neverWritesTheAdminTokenToALog(Cluster cluster) throws Exception {
        // The sale id marks this test's own request lines; nginx writes its buffered log every two seconds.
        String marker = Deployments.newEventId("token-log");
        cluster.nginx().eventStatus(marker);
        cluster.nginx().admin("GET", marker, null, "a-wrong-token");
        Path access = cluster.runDir().resolve("nginx").resolve("access.log");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        2,
                        Files.readAllLines(access, StandardCharsets.ISO_8859_1).stream()
                                .filter(line -> line.contains("/admin/events/" + marker + " "))
                                .count(),
                        "both requests in " + access));
        List<Path> logs;
        try (var files = Files.walk(cluster.runDir())) {
            logs = files.filter(p -> p.toString().endsWith(".log")).toList();
        }
        for (int i = 1; i <= Cluster.INSTANCES; i++) {
            Path log = cluster.runDir().resolve("instance-" + i).resolve("instance.log");
            assertTrue(logs.contains(log), log + " among the logs read: " + logs);
        }
        for (Path log : logs) {
            assertFalse(
                    Files.readString(log, StandardCharsets.ISO_8859_1).contains(Api.ADMIN_TOKEN),
                    "the admin token appears in " + log);
        }
    }

    /**
     * The waiting room's endpoints under the same fire, on a queued sale with a genuinely admitted buyer: bad user
     * ids, bodies and methods, garbage, forged, another event's and another buyer's places and admissions, an
     * expired admission, bad fairness pages, bad queue settings, pausing without the token. Every answer is the 4xx
     * its kind calls for; afterwards nobody joined, nothing was sold or paused, and the sale sells exactly its
     * tickets to admitted buyers.
     */
    @Test
    void answersEveryMalformedWaitingRoomRequestWithAJsonClientError(Cluster cluster) throws Exception {
        Api nginx = cluster.nginx();
        String plain = Deployments.newEventId("hostile-plain");
        nginx.openSale(plain, 10, 600);
        String queued = queuedSale(nginx, "hostile-queued", 3, 600);
        String brief = queuedSale(nginx, "hostile-brief", 3, 1);
        String victimPlace = join(nginx, queued, "victim");
        String victimAdmission = admitted(nginx, queued, victimPlace);
        String briefPlace = join(nginx, brief, "victim");
        Api.Answer briefAdmission = admittedAnswer(nginx, brief, briefPlace);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertTrue(
                        System.currentTimeMillis()
                                > briefAdmission
                                                .data()
                                                .getJsonNumber("expiresAt")
                                                .longValue()
                                        + 100,
                        "the brief admission expired"));
        Tokens tokens = new Tokens(
                queued,
                brief,
                plain,
                victimPlace,
                victimAdmission,
                briefPlace,
                briefAdmission.data().getString("admission"));
        Map<Integer, Integer> expected = new TreeMap<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();

        Random throughNginx = new Random(43);
        Random direct = new Random(8);
        attack(
                nginx.base().getPort(),
                true,
                () -> generateForQueue(throughNginx, tokens, true),
                QUEUE_REQUESTS_PER_TARGET,
                expected,
                statuses,
                unexpected);
        attack(
                cluster.instancePort(1),
                false,
                () -> generateForQueue(direct, tokens, false),
                QUEUE_REQUESTS_PER_TARGET,
                expected,
                statuses,
                unexpected);

        assertEquals(
                expected,
                statuses,
                "answers by status; requests answered otherwise than their kind calls for:\n"
                        + String.join("\n", unexpected.subList(0, Math.min(unexpected.size(), 40))));
        assertEquals(List.of(), unexpected, "a request answered with another request's status");
        var queue = nginx.eventStatus(queued).data();
        assertEquals(
                List.of(0, 0, 3),
                List.of(queue.getInt("reserved"), queue.getInt("paid"), queue.getInt("available")),
                "nothing was sold");
        assertEquals(1, queue.getJsonObject("queue").getInt("joined"), "nobody joined but the victim");
        assertFalse(queue.getJsonObject("queue").getBoolean("paused"), "nobody paused admission");
        assertEquals(0, nginx.eventStatus(brief).data().getInt("reserved"));
        assertEquals(1, nginx.eventStatus(brief).data().getJsonObject("queue").getInt("joined"));
        assertEquals(10, nginx.eventStatus(plain).data().getInt("available"));
        assertTrue(nginx.eventStatus(plain).data().isNull("queue"), "the sale without a queue still has none");

        // The victim buys with the admission every hostile request tried to misuse, then two honest buyers, and
        // the one after them is told it is sold out.
        Set<String> places = new HashSet<>(List.of(victimPlace));
        List<String> orders = new ArrayList<>();
        orders.add(buyAndPay(nginx, queued, "victim", victimAdmission));
        String honest1 = join(nginx, queued, "honest-1");
        places.add(honest1);
        orders.add(buyAndPay(nginx, queued, "honest-1", admitted(nginx, queued, honest1)));
        Api other = cluster.instance(2);
        String honest2 = join(other, queued, "honest-2");
        places.add(honest2);
        orders.add(buyAndPay(other, queued, "honest-2", admitted(other, queued, honest2)));
        String late = join(nginx, queued, "too-late");
        places.add(late);
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(
                        () -> assertEquals(-1, admission(nginx, queued, late).code()));
        var sold = nginx.eventStatus(queued).data();
        assertEquals(List.of(0, 3, 0), List.of(sold.getInt("reserved"), sold.getInt("paid"), sold.getInt("available")));
        // As the buyers were told: four places, three admissions used, none let pass, the last told sold out.
        var ledger = sold.getJsonObject("queue");
        assertEquals(
                List.of(places.size(), orders.size(), 0, 0, 0, 1),
                List.of(
                        ledger.getInt("joined"),
                        ledger.getInt("bought"),
                        ledger.getInt("lapsed"),
                        ledger.getInt("waiting"),
                        ledger.getInt("admittedUnused"),
                        ledger.getInt("toldSoldOut")),
                "joined, bought, lapsed, waiting, admitted-unused, told sold out: " + ledger);
        assertEquals(200, nginx.get("health/ready").status());
        System.out.println("Hostile waiting-room input answered with statuses " + statuses);
    }

    /**
     * Sends {@code count} requests from {@code requests} to {@code port}, counting the statuses each kind calls for in
     * {@code expected} and those answered in {@code statuses}; a request answered with another status than its own
     * goes into {@code unexpected}. Anything but a JSON 4xx (from an instance: naming it in X-Instance) fails at once.
     */
    private static void attack(
            int port,
            boolean throughNginx,
            Supplier<Hostile> requests,
            int count,
            Map<Integer, Integer> expected,
            Map<Integer, Integer> statuses,
            List<String> unexpected) {
        for (int i = 0; i < count; i++) {
            Hostile request = requests.get();
            Api.Answer answer = RawHttp.exchange(port, request.head, request.body);
            String what = (throughNginx ? "nginx" : "instance") + " <- " + request.description;
            expected.merge(request.expected, 1, Integer::sum);
            statuses.merge(answer.status(), 1, Integer::sum);
            if (answer.status() != request.expected) {
                unexpected.add(what + ": expected " + request.expected + ", answered " + answer.status());
            }
            assertTrue(
                    answer.status() >= 400 && answer.status() < 500,
                    what + " -> HTTP " + answer.status() + " " + answer.body());
            assertFalse(
                    answer.body().contains("Exception") || answer.body().contains("\tat "),
                    what + " leaked a stack trace");
            JsonObject json;
            try {
                json = Json.createReader(new StringReader(answer.body())).readObject();
            } catch (RuntimeException e) {
                throw new AssertionError(
                        what + " -> HTTP " + answer.status() + " without the JSON envelope: " + answer.body(), e);
            }
            assertEquals(-answer.status(), json.getInt("code"), what);
            assertFalse(json.getString("msg").isBlank(), what);
            if (!throughNginx) {
                assertTrue(answer.header("X-Instance") != null, what + " answered without X-Instance");
            }
        }
    }

    /** A malformed request and the status it calls for. */
    private record Hostile(String description, String head, byte[] body, int expected) {}

    private static Hostile generate(Random random, String event, boolean throughNginx) {
        int kind = random.nextInt(throughNginx ? 12 : 10);
        return switch (kind) {
            case 0 ->
                form(
                        "random bytes in userId",
                        "userId=" + percentBytes(random, 1 + random.nextInt(40), true) + "&eventId=" + event);
            case 1 -> rawForm("raw non-ASCII bytes in the body", random, event);
            case 2 ->
                form("over-long userId", "userId=" + "u".repeat(65 + random.nextInt(4_000)) + "&eventId=" + event);
            case 3 -> form("repeated userId", "userId=a" + random.nextInt(1000) + "&userId=b&eventId=" + event);
            case 4 ->
                form("illegal eventId", "userId=fine&eventId=" + percentBytes(random, 1 + random.nextInt(20), true));
            case 5 ->
                withType(
                        "wrong content type",
                        List.of(
                                        "application/json",
                                        "text/plain",
                                        "application/xml",
                                        "multipart/form-data; boundary=x",
                                        "image/png")
                                .get(random.nextInt(5)),
                        "userId=abc&eventId=" + event,
                        415);
            case 6 ->
                random.nextInt(10) == 0
                        ? hugeBody(random, event)
                        : withType("no content type", null, "userId=x&eventId=" + event, 415);
            case 7 -> admin(random, event);
            case 8 -> path(random, throughNginx);
            case 9 -> {
                // TRACE too: nginx refuses it itself, and the WAR answers it like any method but POST.
                String method = List.of("DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "FOO")
                        .get(random.nextInt(6));
                yield request("method " + method, method + " /buy/ticket HTTP/1.1", null, new byte[0], 405);
            }
            case 10 ->
                request(
                        "percent garbage in the path",
                        "GET /buy/%" + (char) ('g' + random.nextInt(10)) + "z HTTP/1.1",
                        null,
                        new byte[0],
                        400);
            default -> garbage(random);
        };
    }

    private static Hostile form(String description, String body) {
        return withType(description, FORM, body, 400);
    }

    private static Hostile withType(String description, String type, String body, int expected) {
        return request(
                description, "POST /buy/ticket HTTP/1.1", type, body.getBytes(StandardCharsets.ISO_8859_1), expected);
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
        if (random.nextInt(3) == 0) {
            return deleteSale(random, event);
        }
        List<String> bodies = List.of(
                "{\"tickets\":\"many\",\"holdSeconds\":60}",
                "{\"tickets\":-5,\"holdSeconds\":60}",
                "{\"tickets\":1e30,\"holdSeconds\":60}",
                "{\"tickets\":10}",
                "{\"holdSeconds\":10}",
                "[]",
                "{",
                "{\"tickets\":10,\"holdSeconds\":99999999999999999999}",
                "{\"tickets\":null,\"holdSeconds\":1}",
                "{\"tickets\":true,\"holdSeconds\":[1]}");
        String body = bodies.get(random.nextInt(bodies.size()));
        boolean authorized = random.nextBoolean();
        String head = "PUT /admin/events/" + event + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length()
                + (authorized
                        ? "\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN
                        : "\r\nAuthorization: Bearer guess" + random.nextInt());
        // The token is checked before the body is read: a caller without it learns nothing about the body.
        return new Hostile(
                "admin JSON " + body + (authorized ? "" : " without the token"),
                head,
                body.getBytes(StandardCharsets.US_ASCII),
                authorized ? 400 : 401);
    }

    /**
     * {@code DELETE /admin/events/{id}} that must delete nothing: without the token or with a wrong one (401), of a
     * sale never opened (404), of an id that is not one (400, before the token is looked at), under a request id
     * that is not one (400).
     */
    private static Hostile deleteSale(Random random, String event) {
        String token = "\r\nAuthorization: Bearer " + Api.ADMIN_TOKEN;
        int kind = random.nextInt(5);
        String id = switch (kind) {
            case 2 -> "never-" + random.nextInt(1_000_000);
            case 3 -> List.of("%7Bx%7D", "e".repeat(65), "a%20b", "caf%C3%A9").get(random.nextInt(4));
            default -> event;
        };
        String headers = switch (kind) {
            case 0 -> "";
            case 1 -> "\r\nAuthorization: Bearer guess" + random.nextInt();
            case 4 -> token + "\r\nIdempotency-Key: two words";
            default -> token;
        };
        String head = "DELETE /admin/events/" + id + " HTTP/1.1\r\nHost: localhost\r\nConnection: close" + headers;
        int expected = kind <= 1 ? 401 : kind == 2 ? 404 : 400;
        return new Hostile(
                "DELETE /admin/events/" + id + " ("
                        + List.of("no token", "a wrong token", "never opened", "not an id", "a bad Idempotency-Key")
                                .get(kind)
                        + ")",
                head,
                new byte[0],
                expected);
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
        // "/admin" itself redirects to the dashboard's page, "/admin/"; below it only the dashboard's files exist.
        paths.put("/admin/nothing", PathAnswer.always(404));
        paths.put("/admin/index.htm", PathAnswer.always(404));
        paths.put("/admin/events/%7Bx%7D", PathAnswer.always(400));
        paths.put("/.env", PathAnswer.always(404));
        paths.put("/admin/events/" + "e".repeat(80), PathAnswer.always(400));
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
        return request(
                "path " + method + " " + target, method + " " + target + " HTTP/1.1", null, new byte[0], expected);
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
            case 1 ->
                new Hostile("an unknown protocol", "GET /buy/ticket HTTX/1.1\r\nHost: localhost", new byte[0], 400);
            case 2 ->
                new Hostile(
                        "a request line over 8 KB",
                        "GET /" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: localhost",
                        new byte[0],
                        414);
            default ->
                new Hostile(
                        "a header over 8 KB",
                        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Huge: " + "h".repeat(20_000),
                        new byte[0],
                        400);
        };
    }

    /** The queued sale under attack, another (whose admission has expired), one without a queue, genuine tokens. */
    private record Tokens(
            String queued,
            String brief,
            String plain,
            String place,
            String admission,
            String briefPlace,
            String expiredAdmission) {}

    private static Hostile generateForQueue(Random random, Tokens t, boolean throughNginx) {
        String join = "POST /queue/" + t.queued() + "/join HTTP/1.1";
        String admission = "POST /queue/" + t.queued() + "/admission HTTP/1.1";
        return switch (random.nextInt(10)) {
            case 0 -> {
                List<String> bodies = List.of(
                        "userId=" + percentBytes(random, 1 + random.nextInt(40), true),
                        "userId=" + "u".repeat(65 + random.nextInt(3_900)),
                        "userId=",
                        "userId=%20%20",
                        "userId=a" + random.nextInt(1000) + "&userId=b",
                        "user=victim",
                        "userId=%zz");
                String body = bodies.get(random.nextInt(bodies.size()));
                yield request("join with " + abbreviate(body), join, FORM, ascii(body), 400);
            }
            case 1 ->
                random.nextInt(5) == 0
                        ? request(
                                "a join body of several MB",
                                join,
                                FORM,
                                ascii("userId=big&pad=" + "x".repeat((2 + random.nextInt(3)) * 1024 * 1024)),
                                413)
                        : random.nextBoolean()
                                ? request(
                                        "a join body over its 4 KB",
                                        join,
                                        FORM,
                                        ascii("userId=mid&pad=" + "x".repeat(4_200 + random.nextInt(8_000))),
                                        413)
                                : request(
                                        "a join that is not a form",
                                        join,
                                        List.of("application/json", "text/plain", "multipart/form-data; boundary=x")
                                                .get(random.nextInt(3)),
                                        ascii("userId=typed"),
                                        415);
            case 2 -> {
                List<String> paths = List.of("/join?userId=m", "/admission?place=x", "", "/fairness");
                String path = paths.get(random.nextInt(paths.size()));
                List<String> methods = path.isEmpty() || path.equals("/fairness")
                        ? List.of("POST", "PUT", "DELETE", "PATCH", "TRACE")
                        : List.of("GET", "PUT", "DELETE", "PATCH", "TRACE");
                String method = methods.get(random.nextInt(methods.size()));
                yield request(
                        "method " + method + " on /queue/{e}" + path,
                        method + " /queue/" + t.queued() + path + " HTTP/1.1",
                        null,
                        new byte[0],
                        405);
            }
            case 3 -> {
                List<String> places = List.of(
                        "",
                        "place=",
                        "place=%20",
                        "place=" + junkToken(random),
                        "place=" + junkToken(random) + "." + junkToken(random),
                        "place=" + signedLooking(random),
                        "place=" + forged(t.place(), random),
                        "place=" + t.briefPlace(),
                        "place=" + t.admission(),
                        "place=" + "p".repeat(513 + random.nextInt(3_000)));
                String body = places.get(random.nextInt(places.size()));
                yield request("admission with " + abbreviate(body), admission, FORM, ascii(body), 403);
            }
            case 4 -> {
                List<String> queries = List.of(
                        "from=x",
                        "from=0",
                        "from=-" + random.nextInt(100),
                        "count=0",
                        "count=" + (10_001 + random.nextInt(1_000_000)),
                        "count=x" + junkToken(random),
                        "from=1&count=1e3",
                        "from=99999999999999999999");
                String query = queries.get(random.nextInt(queries.size()));
                yield request(
                        "fairness page " + query,
                        "GET /queue/" + t.queued() + "/fairness?" + query + " HTTP/1.1",
                        null,
                        new byte[0],
                        400);
            }
            case 5 -> {
                String missing = random.nextBoolean() ? t.plain() : "never-opened-" + random.nextInt(1000);
                yield switch (random.nextInt(3)) {
                    case 0 ->
                        request(
                                "join a sale without a queue",
                                "POST /queue/" + missing + "/join HTTP/1.1",
                                FORM,
                                ascii("userId=victim"),
                                404);
                    case 1 ->
                        request(
                                "the state of a sale without a queue",
                                "GET /queue/" + missing + " HTTP/1.1",
                                null,
                                new byte[0],
                                404);
                    default ->
                        request(
                                "the fairness of a sale without a queue",
                                "GET /queue/" + missing + "/fairness HTTP/1.1",
                                null,
                                new byte[0],
                                404);
                };
            }
            case 6 -> {
                String buy = "&eventId=" + t.queued();
                List<Hostile> purchases = List.of(
                        purchase("no admission", "userId=victim" + buy, 403),
                        purchase("a blank admission", "userId=victim&admission=%20" + buy, 403),
                        purchase("a garbage admission", "userId=victim&admission=" + junkToken(random) + buy, 403),
                        purchase(
                                "a signed-looking admission",
                                "userId=victim&admission=" + signedLooking(random) + buy,
                                403),
                        purchase(
                                "a forged admission",
                                "userId=victim&admission=" + forged(t.admission(), random) + buy,
                                403),
                        purchase("a place as admission", "userId=victim&admission=" + t.place() + buy, 403),
                        purchase(
                                "another buyer's admission",
                                "userId=mallory" + random.nextInt(1000) + "&admission=" + t.admission() + buy,
                                403),
                        purchase(
                                "another event's admission",
                                "userId=victim&admission=" + t.expiredAdmission() + buy,
                                403),
                        purchase(
                                "an expired admission",
                                "userId=victim&admission=" + t.expiredAdmission() + "&eventId=" + t.brief(),
                                403),
                        purchase(
                                "the admission twice",
                                "userId=victim&admission=" + t.admission() + "&admission=" + t.admission() + buy,
                                400));
                yield purchases.get(random.nextInt(purchases.size()));
            }
            case 7 -> queueSettings(random, t);
            case 8 -> {
                boolean resume = random.nextBoolean();
                String action = resume ? "resume" : "pause";
                yield switch (random.nextInt(4)) {
                    case 0 ->
                        adminPost(
                                action + " without the token",
                                "/admin/events/" + t.queued() + "/queue/" + action,
                                null,
                                401);
                    case 1 ->
                        adminPost(
                                action + " with a wrong token",
                                "/admin/events/" + t.queued() + "/queue/" + action,
                                "guess" + random.nextInt(),
                                401);
                    case 2 ->
                        adminPost(
                                action + " a sale without a queue",
                                "/admin/events/" + t.plain() + "/queue/" + action,
                                Api.ADMIN_TOKEN,
                                404);
                    default ->
                        request(
                                "GET " + action,
                                "GET /admin/events/" + t.queued() + "/queue/" + action + " HTTP/1.1",
                                null,
                                new byte[0],
                                405);
                };
            }
            default -> {
                List<String> paths = List.of(
                        "/queue",
                        "/queue/",
                        "/queue/" + t.queued() + "/nope",
                        "/queue/" + t.queued() + "/join/more",
                        "/queue/%7Bx%7D",
                        "/queue/" + "q".repeat(80),
                        "/queue/" + t.queued() + "/fairness/1");
                String path = paths.get(random.nextInt(paths.size()));
                String method = random.nextBoolean() ? "GET" : "POST";
                yield request("path " + method + " " + path, method + " " + path + " HTTP/1.1", null, new byte[0], 404);
            }
        };
    }

    private static Hostile purchase(String description, String body, int expected) {
        return request("purchase with " + description, "POST /buy/ticket HTTP/1.1", FORM, ascii(body), expected);
    }

    /** PUT /admin/events/{queued} with a bad "queue" object: 400 naming the field, or 401 without the token. */
    private static Hostile queueSettings(Random random, Tokens t) {
        String ok = "\"opensAt\":1,\"admitPerSecond\":10,\"admitWindowSeconds\":30";
        List<String> queues = List.of(
                "5",
                "[]",
                "\"soon\"",
                "{}",
                "{\"opensAt\":\"soon\",\"admitPerSecond\":1,\"admitWindowSeconds\":1}",
                "{\"opensAt\":-1,\"admitPerSecond\":1,\"admitWindowSeconds\":1}",
                "{\"opensAt\":1e30,\"admitPerSecond\":1,\"admitWindowSeconds\":1}",
                "{\"opensAt\":1,\"admitPerSecond\":0,\"admitWindowSeconds\":1}",
                "{\"opensAt\":1,\"admitPerSecond\":1.5,\"admitWindowSeconds\":1}",
                "{\"opensAt\":1,\"admitPerSecond\":10}",
                "{\"opensAt\":1,\"admitPerSecond\":10,\"admitWindowSeconds\":86401}",
                "{" + ok + ",\"overbook\":0.5}",
                "{" + ok + ",\"overbook\":11}",
                "{" + ok + ",\"overbook\":null}",
                "{" + ok + ",\"overbook\":\"x\"}",
                "{" + ok + ",\"shuffle\":false}");
        String body = "{\"tickets\":3,\"holdSeconds\":600,\"queue\":" + queues.get(random.nextInt(queues.size())) + "}";
        boolean authorized = random.nextBoolean();
        String head = "PUT /admin/events/" + t.queued() + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nAuthorization: Bearer " + (authorized ? Api.ADMIN_TOKEN : "guess" + random.nextInt());
        return new Hostile(
                "queue settings " + body + (authorized ? "" : " without the token"),
                head,
                ascii(body),
                authorized ? 400 : 401);
    }

    private static Hostile adminPost(String description, String path, String token, int expected) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 0"
                + (token == null ? "" : "\r\nAuthorization: Bearer " + token);
        return new Hostile(description, head, new byte[0], expected);
    }

    /** Up to 60 characters that a token may hold, without a dot. */
    private static String junkToken(Random random) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder junk = new StringBuilder();
        for (int i = 1 + random.nextInt(60); i > 0; i--) {
            junk.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return junk.toString();
    }

    /** A random payload and a random 16-byte "signature": the shape of a token, signed by nobody. */
    private static String signedLooking(Random random) {
        byte[] mac = new byte[16];
        random.nextBytes(mac);
        String payload = "a|x|y|1|" + random.nextInt(1000) + "|1|" + Long.MAX_VALUE;
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        return encoder.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + encoder.encodeToString(mac);
    }

    /** A genuine token with one field of its payload changed, its signature kept. */
    private static String forged(String token, Random random) {
        int dot = token.indexOf('.');
        String[] fields = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8)
                .split("\\|", -1);
        int field = 1 + random.nextInt(fields.length - 1);
        fields[field] = fields[field] + random.nextInt(10);
        return Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(String.join("|", fields).getBytes(StandardCharsets.UTF_8))
                + token.substring(dot);
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "... (" + text.length() + " characters)";
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String queuedSale(Api api, String prefix, int tickets, int windowSeconds) {
        String event = Deployments.newEventId(prefix);
        Api.Answer opened = api.admin(
                "PUT",
                event,
                "{\"tickets\":" + tickets + ",\"holdSeconds\":600,\"queue\":{"
                        + "\"opensAt\":" + (System.currentTimeMillis() - 1_000) + ",\"admitPerSecond\":50,"
                        + "\"admitWindowSeconds\":" + windowSeconds + "}}",
                Api.ADMIN_TOKEN);
        assertEquals(200, opened.status(), opened.body());
        return event;
    }

    private static String join(Api api, String event, String userId) {
        Api.Answer joined = api.post("queue/" + event + "/join", Map.of("userId", userId));
        assertEquals(1, joined.code(), joined.body());
        return joined.data().getString("place");
    }

    private static Api.Answer admission(Api api, String event, String place) {
        return api.post("queue/" + event + "/admission", Map.of("place", place));
    }

    private static String admitted(Api api, String event, String place) {
        return admittedAnswer(api, event, place).data().getString("admission");
    }

    /** The answer of code 1 to the place's admission request, once admission has reached it. */
    private static Api.Answer admittedAnswer(Api api, String event, String place) {
        Api.Answer[] answer = new Api.Answer[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            answer[0] = admission(api, event, place);
            // Asked again only while told "not yet"; any other answer fails at once.
            assertTrue(answer[0].code() == 1 || answer[0].code() == -3, answer[0].body());
            return answer[0].code() == 1;
        });
        return answer[0];
    }

    private static String buyAndPay(Api api, String event, String userId, String admission) {
        Api.Answer bought = api.post("buy/ticket", Map.of("userId", userId, "eventId", event, "admission", admission));
        assertEquals(1, bought.code(), bought.body());
        String orderId = bought.data().getString("orderId");
        assertEquals(200, api.pay(orderId).status());
        return orderId;
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
