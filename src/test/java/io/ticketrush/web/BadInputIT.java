package io.ticketrush.web;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.Pause;
import io.ticketrush.testsupport.RawHttp;
import io.ticketrush.testsupport.SingleInstanceIT;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad requests get a 4xx JSON answer naming the problem; nothing is sold or corrupted by them. */
class BadInputIT extends SingleInstanceIT {

    /** What this test's buyers were told, by queued sale: the places they were given, the admissions they used. */
    private final Map<String, Set<String>> placesGiven = new HashMap<>();

    private final Map<String, Integer> admissionsUsed = new HashMap<>();

    private String event;

    @BeforeEach
    void openSale() {
        event = Deployments.newEventId("bad");
        api.openSale(event, 10, 300);
    }

    @AfterEach
    void nothingWasSold() {
        assertEquals(10, api.eventStatus(event).data().getInt("available"), "bad input sold nothing");
    }

    @Test
    void refusesAPurchaseWithoutAUsableUserId() {
        Map<String, String> cases = unusableUserIds();
        cases.put("userId=a&retry=1", "retry must be true or false");
        cases.put("userId=a&retry=true&retry=true", "retry is given more than once");
        cases.forEach((form, message) -> assertRefused(postForm(form + "&eventId=" + event), 400, message));
    }

    @Test
    void acceptsTheLongestUserIdAndEveryAllowedCharacter() {
        Api.Answer longest = api.buy(event, "u".repeat(64));
        assertEquals(1, longest.code(), longest.body());
        Api.Answer symbols = api.buy(event, "a.b_c:d@e-f");
        assertEquals(1, symbols.code(), symbols.body());
        // Give them back so the after-check holds: reset the sale.
        api.openSale(event, 10, 300);
    }

    @Test
    void refusesAnIllegalEventId() {
        Api.Answer answer = postForm("userId=nina&eventId=" + "e/../x");
        assertEquals(400, answer.status());
        assertTrue(answer.json().getString("msg").startsWith("eventId"), answer.body());
    }

    @Test
    void answersMethodNotAllowedForAnythingButPost() {
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            Api.Answer answer =
                    api.send(HttpRequest.newBuilder(api.base().resolve("buy/ticket?userId=olga&eventId=" + event))
                            .method(method, HttpRequest.BodyPublishers.noBody()));
            assertEquals(405, answer.status(), method);
            assertEquals(-405, answer.code(), method);
            assertEquals("POST", answer.header("Allow"));
        }
    }

    @Test
    void refusesABodyThatIsNotAForm() {
        Api.Answer json = api.send(HttpRequest.newBuilder(api.base().resolve("buy/ticket"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"pat\",\"eventId\":\"" + event + "\"}")));
        assertEquals(415, json.status());
        assertEquals(-415, json.code());
        assertTrue(json.json().getString("msg").contains("application/x-www-form-urlencoded"));
    }

    @Test
    void refusesAHugeBodyWithoutReadingIt() {
        byte[] huge = ("userId=quinn&eventId=" + event + "&pad=" + "x".repeat(4 * 1024 * 1024)).getBytes();
        Api.Answer answer = RawHttp.exchange(
                port(),
                "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + huge.length,
                huge);
        assertEquals(413, answer.status());
        assertEquals(-413, answer.json().getInt("code"));
    }

    @Test
    void refusesAHugeChunkedBody() {
        StringBuilder chunks = new StringBuilder("userId=rita&eventId=" + event + "&pad=");
        String chunk = "x".repeat(64 * 1024);
        StringBuilder body = new StringBuilder(Integer.toHexString(chunks.length()) + "\r\n" + chunks + "\r\n");
        for (int i = 0; i < 32; i++) {
            body.append(Integer.toHexString(chunk.length()))
                    .append("\r\n")
                    .append(chunk)
                    .append("\r\n");
        }
        body.append("0\r\n\r\n");
        Api.Answer answer = RawHttp.exchange(
                port(),
                "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked",
                body.toString().getBytes());
        assertEquals(413, answer.status());
        assertEquals(-413, answer.json().getInt("code"));
    }

    @Test
    void refusesAFormThatIsNotProperlyEncoded() {
        for (String form : List.of("userId=%zz", "userId=%", "userId=ab%C3%28cd", "userId=%FF%FE")) {
            Api.Answer answer = postForm(form + "&eventId=" + event);
            assertEquals(400, answer.status(), form + " -> " + answer.body());
            assertEquals(-400, answer.code());
        }
        byte[] raw = ("userId=\u00e9\u00ff&eventId=" + event).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Api.Answer answer = RawHttp.exchange(
                port(),
                "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: "
                        + raw.length,
                raw);
        assertEquals(400, answer.status(), answer.body());
    }

    @Test
    void answersJsonForUnknownPathsWhateverTheMethod() {
        for (String path : List.of(
                "nope",
                "buy",
                "buy/ticket/extra",
                "orders",
                "orders/",
                "admin/events/",
                "admin/x",
                "orders/a-1-abc/pay/more",
                "WEB-INF/web.xml",
                "index.htm",
                "admin/nope.js",
                "webjars/")) {
            for (String method : List.of("GET", "POST")) {
                Api.Answer answer = api.send(HttpRequest.newBuilder(api.base().resolve(path))
                        .method(method, HttpRequest.BodyPublishers.noBody()));
                assertEquals(404, answer.status(), method + " " + path);
                assertEquals(-404, answer.code(), method + " " + path);
                assertEquals(INSTANCE_NAME, answer.header("X-Instance"), "every answer names its instance");
            }
        }
    }

    @Test
    void answersMethodNotAllowedOnOrdersAndAdminPaths() {
        Api.Answer deleteOrder = api.send(HttpRequest.newBuilder(api.base().resolve("orders/" + event + "-1-abcdef"))
                .DELETE());
        assertEquals(405, deleteOrder.status());
        Api.Answer getPay = api.get("orders/" + event + "-1-abcdef/pay");
        assertEquals(405, getPay.status());
        Api.Answer postAdmin = api.admin("POST", event, "{}", Api.ADMIN_TOKEN);
        assertEquals(405, postAdmin.status());
        assertFalse(postAdmin.body().contains("<html"));
    }

    @Test
    void refusesDeletingWithoutTheTokenOrOfAnIdThatNamesNoSale() {
        assertRefused(api.admin("DELETE", event, null, null), 401, "admin token missing or wrong");
        assertRefused(api.admin("DELETE", event, null, "a-wrong-token"), 401, "admin token missing or wrong");
        assertRefused(api.admin("DELETE", event, null, Api.ADMIN_TOKEN + "x"), 401, "admin token missing or wrong");
        assertRefused(api.deleteSale(Deployments.newEventId("never")), 404, "no such event: ");
        for (String badId : List.of("%7Bx%7D", "e".repeat(65), "a%20b", "caf%C3%A9")) {
            assertRefused(api.deleteSale(badId), 400, "eventId ");
        }
        assertRefused(api.deleteSale(event + "/restore"), 405, "method DELETE not allowed here");
        Api.Answer patch = api.admin("PATCH", event, null, Api.ADMIN_TOKEN);
        assertRefused(patch, 405, "method PATCH not allowed here");
        assertEquals("GET, PUT, DELETE", patch.header("Allow"));
        assertEquals(200, api.eventStatus(event).status(), "nothing was deleted");
    }

    @Test
    void refusesAnAdminChangeUnderARequestIdThatIsNotOne() {
        String body = "{\"tickets\":5,\"holdSeconds\":60}";
        Map<String, Map<String, String>> cases = new LinkedHashMap<>();
        cases.put(
                "header X-Request-Id must be 1 to 255 visible ASCII characters",
                Map.of("X-Request-Id", "r".repeat(256)));
        cases.put(
                "header Idempotency-Key must be 1 to 255 visible ASCII characters",
                Map.of("Idempotency-Key", "two words"));
        cases.forEach((message, headers) -> {
            assertRefused(api.admin("PUT", event, body, Api.ADMIN_TOKEN, headers), 400, message);
            assertRefused(api.admin("DELETE", event, null, Api.ADMIN_TOKEN, headers), 400, message);
        });
        String keyed = Deployments.newEventId("bad-keyed");
        assertEquals(
                200,
                api.admin("PUT", keyed, body, Api.ADMIN_TOKEN, Map.of("Idempotency-Key", "k-" + keyed))
                        .status());
        assertRefused(
                api.admin(
                        "PUT",
                        keyed,
                        "{\"tickets\":6,\"holdSeconds\":60}",
                        Api.ADMIN_TOKEN,
                        Map.of("Idempotency-Key", "k-" + keyed)),
                422,
                "request id k-" + keyed + " was already used for another request");
        assertEquals(5, api.eventStatus(keyed).data().getInt("tickets"), "the reused key opened nothing");
    }

    @Test
    void refusesAJoinWithoutAUsableUserId() {
        String queued = queuedSale(2, 300, 30);
        Map<String, String> cases = unusableUserIds();
        cases.put("userId=%zz", "the form is not properly URL-encoded");
        cases.forEach((form, message) -> assertRefused(post("queue/" + queued + "/join", form), 400, message));
        assertEquals(0, api.get("queue/" + queued).data().getInt("joined"), "nobody joined");
        assertSellsExactlyItsTickets(queued, 2);
    }

    @Test
    void refusesAJoinBodyOverItsLimit() {
        String queued = queuedSale(2, 300, 30);
        for (int size : List.of(5 * 1024, 4 * 1024 * 1024)) {
            byte[] body = ("userId=zoe&pad=" + "x".repeat(size)).getBytes(StandardCharsets.US_ASCII);
            Api.Answer answer = RawHttp.exchange(
                    port(),
                    "POST /queue/" + queued + "/join HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length,
                    body);
            assertRefused(answer, 413, "request body is larger than");
        }
        Api.Answer json = api.send(HttpRequest.newBuilder(api.base().resolve("queue/" + queued + "/join"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"zoe\"}")));
        assertRefused(json, 415, "Content-Type must be application/x-www-form-urlencoded");
        assertEquals(0, api.get("queue/" + queued).data().getInt("joined"));
    }

    @Test
    void answersMethodNotAllowedOnTheQueuePaths() {
        String queued = queuedSale(2, 300, 30);
        Map<String, String> allowed = Map.of(
                "queue/" + queued + "/join",
                "POST",
                "queue/" + queued + "/admission",
                "POST",
                "queue/" + queued,
                "GET",
                "queue/" + queued + "/fairness",
                "GET");
        allowed.forEach((path, method) -> {
            for (String wrong : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                if (!wrong.equals(method)) {
                    Api.Answer answer =
                            api.send(HttpRequest.newBuilder(api.base().resolve(path + "?userId=una"))
                                    .method(wrong, HttpRequest.BodyPublishers.noBody()));
                    assertRefused(answer, 405, "method " + wrong + " not allowed here");
                    assertEquals(method, answer.header("Allow"), wrong + " " + path);
                }
            }
        });
        assertEquals(0, api.get("queue/" + queued).data().getInt("joined"), "a GET with a userId joins nobody");
    }

    @Test
    void answersNotFoundForAWaitingRoomThatDoesNotExist() {
        String unknown = Deployments.newEventId("never-opened");
        for (String path : List.of("queue/" + unknown + "/join", "queue/" + event + "/join")) {
            assertRefused(post(path, "userId=vera"), 404, "event ");
        }
        for (String path : List.of("queue/" + unknown, "queue/" + event, "queue/" + event + "/fairness")) {
            assertRefused(api.get(path), 404, "event ");
        }
        for (String path : List.of(
                "queue",
                "queue/",
                "queue/" + event + "/nope",
                "queue/" + event + "/join/more",
                "queue/e%7Bx%7D/join",
                "queue/" + "e".repeat(80) + "/join")) {
            assertRefused(post(path, "userId=vera"), 404, "no such path");
        }
        String placeOfAnother = join(queuedSale(2, 300, 30), "vera");
        assertRefused(
                post("queue/" + event + "/admission", "place=" + placeOfAnother),
                403,
                "the place is for another event");
    }

    @Test
    void refusesAnAdmissionRequestWithoutAGenuinePlace() {
        String queued = queuedSale(2, 300, 30);
        String other = queuedSale(2, 300, 30);
        String place = join(queued, "walt");
        String admission = admitted(queued, place);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "place is required");
        cases.put("place=", "place is required");
        cases.put("place=%20", "place is required");
        cases.put("place=abc", "the place is not a token this service issued");
        cases.put("place=a.b.c", "the place is not a token this service issued");
        cases.put("place=" + "p".repeat(600) + ".x", "the place is not a token this service issued");
        cases.put("place=" + forged(place), "the place is forged: its signature does not match");
        cases.put("place=" + join(other, "walt"), "the place is for another event");
        cases.put("place=" + admission, "the place is not a place token");
        cases.forEach((form, message) -> assertRefused(post("queue/" + queued + "/admission", form), 403, message));
        assertRefused(
                post("queue/" + queued + "/admission", "place=" + place + "&place=" + place),
                400,
                "place is given more than once");
        assertEquals(
                1, post("queue/" + queued + "/admission", "place=" + place).code(), "the genuine place still works");
        buyAndPay(queued, "walt", admission);
        assertSellsExactlyItsTickets(queued, 1);
    }

    @Test
    void refusesAFairnessPageOutOfBounds() {
        String queued = queuedSale(2, 300, 30);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("from=x", "from must be an integer");
        cases.put("from=0", "from must be an integer");
        cases.put("from=-3", "from must be an integer");
        cases.put("from=1e3", "from must be an integer");
        cases.put("from=99999999999999999999999", "from must be an integer");
        cases.put("count=0", "count must be an integer from 1 to 10000");
        cases.put("count=10001", "count must be an integer from 1 to 10000");
        cases.put("count=x", "count must be an integer from 1 to 10000");
        cases.put("from=1&from=2", "from is given more than once");
        cases.forEach(
                (query, message) -> assertRefused(api.get("queue/" + queued + "/fairness?" + query), 400, message));
        Api.Answer page = api.get("queue/" + queued + "/fairness?from=1&count=10000");
        assertEquals(200, page.status(), page.body());
        assertEquals(0, page.data().getJsonArray("places").size());
    }

    @Test
    void refusesAPurchaseOnAQueuedSaleWithoutAValidAdmission() {
        String queued = queuedSale(2, 300, 30);
        String brief = queuedSale(2, 1, 30);
        String xena = admitted(queued, join(queued, "xena"));
        String xenaElsewhere = admitted(brief, join(brief, "xena"));
        long expiresAt = System.currentTimeMillis() + 1_100;
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("userId=xena", "an admission is required");
        cases.put("userId=xena&admission=", "an admission is required");
        cases.put("userId=xena&admission=garbage", "the admission is not a token this service issued");
        cases.put("userId=xena&admission=" + "a".repeat(700), "the admission is not a token this service issued");
        cases.put("userId=xena&admission=" + forged(xena), "the admission is forged: its signature does not match");
        cases.put("userId=xena&admission=" + join(queued, "xena"), "the admission is not an admission token");
        cases.put("userId=yuri&admission=" + xena, "the admission is another buyer's");
        cases.put("userId=xena&admission=" + xenaElsewhere, "the admission is for another event");
        cases.forEach((form, message) -> assertRefused(postForm(form + "&eventId=" + queued), 403, message));
        assertRefused(
                postForm("userId=xena&admission=" + xena + "&admission=" + xena + "&eventId=" + queued),
                400,
                "admission is given more than once");

        while (System.currentTimeMillis() < expiresAt) {
            Pause.millis(50);
        }
        assertRefused(
                postForm("userId=xena&admission=" + xenaElsewhere + "&eventId=" + brief), 403, "the admission expired");
        assertEquals(0, api.eventStatus(queued).data().getInt("reserved"), "none of them bought");
        assertEquals(0, api.eventStatus(brief).data().getInt("reserved"));

        String orderId = buyAndPay(queued, "xena", xena);
        Api.Answer again = postForm("userId=XENA&admission=" + xena + "&eventId=" + queued);
        assertEquals(-2, again.code(), "the holder, again: " + again.body());
        assertEquals(orderId, again.data().getString("orderId"));
        assertSellsExactlyItsTickets(queued, 1);
    }

    @Test
    void refusesAnAdmissionUsedOnceAlready() {
        String queued = queuedSale(1, 300, 1);
        String admission = admitted(queued, join(queued, "zack"));
        Api.Answer bought = postForm("userId=zack&admission=" + admission + "&eventId=" + queued);
        assertEquals(1, bought.code(), bought.body());
        await().atMost(Duration.ofSeconds(15))
                .ignoreExceptions()
                .untilAsserted(() ->
                        assertEquals(0, api.eventStatus(queued).data().getInt("reserved"), "the unpaid hold expired"));
        assertRefused(
                postForm("userId=zack&admission=" + admission + "&eventId=" + queued),
                403,
                "the admission was already used");
        assertEquals(0, api.eventStatus(queued).data().getInt("reserved"));
    }

    @Test
    void refusesQueueSettingsOutOfBoundsNamingTheField() {
        long now = System.currentTimeMillis();
        String valid = "\"opensAt\":" + now + ",\"admitPerSecond\":10,\"admitWindowSeconds\":30";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("5", "queue must be an object");
        cases.put("[]", "queue must be an object");
        cases.put("\"soon\"", "queue must be an object");
        cases.put("{}", "queue.opensAt is required");
        cases.put("{\"opensAt\":\"soon\",\"admitPerSecond\":10,\"admitWindowSeconds\":30}", "queue.opensAt must be");
        cases.put("{\"opensAt\":-1,\"admitPerSecond\":10,\"admitWindowSeconds\":30}", "queue.opensAt must be");
        cases.put("{\"opensAt\":1.5,\"admitPerSecond\":10,\"admitWindowSeconds\":30}", "queue.opensAt must be");
        cases.put("{\"opensAt\":1e30,\"admitPerSecond\":10,\"admitWindowSeconds\":30}", "queue.opensAt must be");
        cases.put("{\"opensAt\":" + now + ",\"admitWindowSeconds\":30}", "queue.admitPerSecond is required");
        cases.put(
                "{\"opensAt\":" + now + ",\"admitPerSecond\":0,\"admitWindowSeconds\":30}",
                "queue.admitPerSecond must be");
        cases.put(
                "{\"opensAt\":" + now + ",\"admitPerSecond\":1000001,\"admitWindowSeconds\":30}",
                "queue.admitPerSecond must be");
        cases.put("{\"opensAt\":" + now + ",\"admitPerSecond\":10}", "queue.admitWindowSeconds is required");
        cases.put(
                "{\"opensAt\":" + now + ",\"admitPerSecond\":10,\"admitWindowSeconds\":0}",
                "queue.admitWindowSeconds must be");
        cases.put(
                "{\"opensAt\":" + now + ",\"admitPerSecond\":10,\"admitWindowSeconds\":86401}",
                "queue.admitWindowSeconds must be");
        cases.put("{" + valid + ",\"overbook\":0.5}", "queue.overbook must be");
        cases.put("{" + valid + ",\"overbook\":11}", "queue.overbook must be");
        cases.put("{" + valid + ",\"overbook\":\"lots\"}", "queue.overbook must be");
        cases.put("{" + valid + ",\"overbook\":null}", "queue.overbook must be");
        cases.put("{" + valid + ",\"proofOfWork\":-1}", "queue.proofOfWork must be an integer from 0 to 10000000");
        cases.put("{" + valid + ",\"proofOfWork\":2.5}", "queue.proofOfWork must be an integer from 0 to 10000000");
        cases.put("{" + valid + ",\"proofOfWork\":1e12}", "queue.proofOfWork must be an integer from 0 to 10000000");
        cases.put("{" + valid + ",\"colour\":\"red\"}", "queue.colour is not a setting");
        cases.forEach((queue, message) -> assertRefused(
                api.admin(
                        "PUT", event, "{\"tickets\":10,\"holdSeconds\":300,\"queue\":" + queue + "}", Api.ADMIN_TOKEN),
                400,
                message));
        assertTrue(api.eventStatus(event).data().isNull("queue"), "the sale was left as it was, without a queue");
        assertRefused(api.get("queue/" + event), 404, "event ");
    }

    @Test
    void refusesPausingWithoutTheTokenOrAWaitingRoom() {
        String queued = queuedSale(2, 300, 30);
        for (String action : List.of("pause", "resume")) {
            String path = "admin/events/" + queued + "/queue/" + action;
            assertRefused(adminPost(path, null), 401, "admin token missing or wrong");
            assertRefused(adminPost(path, "a-wrong-token"), 401, "admin token missing or wrong");
            Api.Answer get = api.send(HttpRequest.newBuilder(api.base().resolve(path))
                    .GET()
                    .header("Authorization", "Bearer " + Api.ADMIN_TOKEN));
            assertRefused(get, 405, "method GET not allowed here");
            assertRefused(
                    adminPost("admin/events/" + event + "/queue/" + action, Api.ADMIN_TOKEN),
                    404,
                    "event " + event + " has no waiting room");
            assertRefused(
                    adminPost("admin/events/" + Deployments.newEventId("never") + "/queue/" + action, Api.ADMIN_TOKEN),
                    404,
                    "event ");
            assertRefused(
                    adminPost("admin/events/%7Bx%7D/queue/" + action, Api.ADMIN_TOKEN),
                    400,
                    "eventId may only contain");
        }
        assertFalse(api.get("queue/" + queued).data().getBoolean("paused"), "still admitting");
        assertSellsExactlyItsTickets(queued, 2);
    }

    /** A sale of {@code tickets} with a waiting room open since a second ago, admitting 100 a second. */
    private String queuedSale(long tickets, long windowSeconds, long holdSeconds) {
        String queued = Deployments.newEventId("bad-queued");
        Api.Answer opened = api.admin(
                "PUT",
                queued,
                "{\"tickets\":" + tickets + ",\"holdSeconds\":" + holdSeconds
                        + ",\"queue\":{\"opensAt\":" + (System.currentTimeMillis() - 1_000) + ",\"admitPerSecond\":100,"
                        + "\"admitWindowSeconds\":" + windowSeconds + "}}",
                Api.ADMIN_TOKEN);
        assertEquals(200, opened.status(), opened.body());
        return queued;
    }

    /** The place token of {@code userId} in the queued sale. */
    private String join(String queued, String userId) {
        Api.Answer joined = post("queue/" + queued + "/join", "userId=" + userId);
        assertEquals(1, joined.code(), joined.body());
        String place = joined.data().getString("place");
        placesGiven.computeIfAbsent(queued, q -> new HashSet<>()).add(place);
        return place;
    }

    /** The admission of {@code place}, once admission reaches it. */
    private String admitted(String queued, String place) {
        String[] admission = new String[1];
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            Api.Answer answer = post("queue/" + queued + "/admission", "place=" + place);
            // Asked again only while told "not yet"; any other answer fails at once.
            assertTrue(answer.code() == 1 || answer.code() == -3, answer.body());
            admission[0] = answer.code() == 1 ? answer.data().getString("admission") : null;
            return admission[0] != null;
        });
        return admission[0];
    }

    /**
     * After the bad requests the queued sale still sells: {@code left} new buyers join, are admitted, buy and pay,
     * one more learns it is sold out, and nothing was sold to anyone unadmitted.
     */
    private void assertSellsExactlyItsTickets(String queued, int left) {
        for (int i = 0; i < left; i++) {
            String buyer = "honest-" + i;
            buyAndPay(queued, buyer, admitted(queued, join(queued, buyer)));
        }
        var status = api.eventStatus(queued).data();
        assertEquals(0, status.getInt("available"), status.toString());
        String late = join(queued, "too-late");
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .untilAsserted(() -> assertEquals(
                        -1,
                        post("queue/" + queued + "/admission", "place=" + late).code()));
        var ledger = api.eventStatus(queued).data().getJsonObject("queue");
        // Every place given was admitted and bought with, but the last, told sold out; no window let pass.
        int places = placesGiven.get(queued).size();
        int used = admissionsUsed.get(queued);
        assertEquals(
                List.of(places, used, 0, 0, 1),
                List.of(
                        ledger.getInt("joined"),
                        ledger.getInt("bought"),
                        ledger.getInt("lapsed"),
                        ledger.getInt("waiting"),
                        ledger.getInt("toldSoldOut")),
                "joined, bought, lapsed, waiting, told sold out, as the buyers were told: " + ledger);
        assertEquals(places, used + 1, "every place but the last bought with");
        assertEquals(
                status.getInt("paid") + status.getInt("reserved"),
                ledger.getInt("bought"),
                "every ticket went to an admitted buyer");
    }

    /** Buys with {@code admission} and pays at once; the order id. */
    private String buyAndPay(String queued, String userId, String admission) {
        Api.Answer bought = postForm("userId=" + userId + "&admission=" + admission + "&eventId=" + queued);
        assertEquals(1, bought.code(), bought.body());
        admissionsUsed.merge(queued, 1, Integer::sum);
        String orderId = bought.data().getString("orderId");
        assertEquals(200, api.pay(orderId).status());
        return orderId;
    }

    /** {@code token} with its payload changed (a later deadline, another place) and the signature kept. */
    private static String forged(String token) {
        int dot = token.indexOf('.');
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
        String changed = payload.substring(0, payload.length() - 1) + (payload.endsWith("9") ? "8" : "9");
        return Base64.getUrlEncoder().withoutPadding().encodeToString(changed.getBytes(StandardCharsets.UTF_8))
                + token.substring(dot);
    }

    /** Checks the JSON envelope of a refusal: status, code, a message starting with {@code message}, the instance. */
    /** Forms whose userId breaks the id rule (or is missing or doubled), each with the start of its refusal. */
    private static Map<String, String> unusableUserIds() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("", "userId is required");
        cases.put("userId=", "userId is blank");
        cases.put("userId=%20%20%20", "userId is blank");
        cases.put("userId=" + "a".repeat(65), "userId is longer than 64 characters");
        cases.put("userId=al%20ice", "userId may only contain");
        cases.put("userId=%3Cscript%3E", "userId may only contain");
        cases.put("userId=%C3%A9mile", "userId may only contain");
        cases.put("userId=a&userId=b", "userId is given more than once");
        return cases;
    }

    private static void assertRefused(Api.Answer answer, int status, String message) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals(-status, answer.code(), answer.body());
        assertTrue(
                answer.json().getString("msg").startsWith(message), "expected '" + message + "...': " + answer.body());
        assertTrue(answer.json().isNull("data"), answer.body());
        assertEquals(INSTANCE_NAME, answer.header("X-Instance"), answer.body());
    }

    private Api.Answer post(String path, String form) {
        return api.send(HttpRequest.newBuilder(api.base().resolve(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private Api.Answer adminPost(String path, String token) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(api.base().resolve(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return api.send(request);
    }

    private Api.Answer postForm(String body) {
        return api.send(HttpRequest.newBuilder(api.base().resolve("buy/ticket"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
