package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.Deployments;
import io.ticketrush.testsupport.RawHttp;
import io.ticketrush.testsupport.SingleInstanceIT;

/** Bad requests get a 4xx JSON answer naming the problem; nothing is sold or corrupted by them. */
class BadInputIT extends SingleInstanceIT {

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
        Map<String, String> cases = Map.of(
                "", "userId is required",
                "userId=", "userId is blank",
                "userId=%20%20%20", "userId is blank",
                "userId=" + "a".repeat(65), "userId is longer than 64 characters",
                "userId=al%20ice", "userId may only contain",
                "userId=%3Cscript%3E", "userId may only contain",
                "userId=%C3%A9mile", "userId may only contain",
                "userId=a&userId=b", "userId is given more than once",
                "userId=a&retry=1", "retry must be true or false",
                "userId=a&retry=true&retry=true", "retry is given more than once");
        cases.forEach((form, message) -> {
            Api.Answer answer = postForm(form + "&eventId=" + event);
            assertEquals(400, answer.status(), form);
            assertEquals(-400, answer.code(), form);
            assertTrue(answer.json().getString("msg").startsWith(message), form + " -> " + answer.body());
            assertTrue(answer.json().isNull("data"));
        });
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
            Api.Answer answer = api.send(HttpRequest.newBuilder(api.base().resolve("buy/ticket?userId=olga&eventId=" + event))
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
        Api.Answer answer = RawHttp.exchange(port(), "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + huge.length, huge);
        assertEquals(413, answer.status());
        assertEquals(-413, answer.json().getInt("code"));
    }

    @Test
    void refusesAHugeChunkedBody() {
        StringBuilder chunks = new StringBuilder("userId=rita&eventId=" + event + "&pad=");
        String chunk = "x".repeat(64 * 1024);
        StringBuilder body = new StringBuilder(Integer.toHexString(chunks.length()) + "\r\n" + chunks + "\r\n");
        for (int i = 0; i < 32; i++) {
            body.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        body.append("0\r\n\r\n");
        Api.Answer answer = RawHttp.exchange(port(), "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked", body.toString().getBytes());
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
        Api.Answer answer = RawHttp.exchange(port(), "POST /buy/ticket HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: " + raw.length, raw);
        assertEquals(400, answer.status(), answer.body());
    }

    @Test
    void answersJsonForUnknownPathsWhateverTheMethod() {
        for (String path : List.of("nope", "buy", "buy/ticket/extra", "orders", "orders/", "admin/events/", "admin/x",
                "orders/a-1-abc/pay/more", "WEB-INF/web.xml", "index.html")) {
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

    private Api.Answer postForm(String body) {
        return api.send(HttpRequest.newBuilder(api.base().resolve("buy/ticket"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
