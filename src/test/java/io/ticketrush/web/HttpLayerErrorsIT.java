package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.testsupport.Api;
import io.ticketrush.testsupport.RawHttp;
import io.ticketrush.testsupport.SingleInstanceIT;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Requests Payara's HTTP layer refuses before the WAR (see HttpLayerErrors) still get the JSON envelope naming
 * the problem, sent straight to an instance as a client that does not normalise its paths would send them.
 */
class HttpLayerErrorsIT extends SingleInstanceIT {

    @Test
    void answersJsonNamingTheProblemForPathsTheServerRefuses() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/orders/%2e%2e%2f%2e%2e", "climbs above the root");
        cases.put("/%2e%2e/%2e%2e/etc/passwd", "climbs above the root");
        cases.put("/../x", "climbs above the root");
        cases.put("/buy/ticket/../../../etc/passwd", "climbs above the root");
        cases.put("/orders/a%00b", "NUL");
        cases.put("/orders/a%5cb", "backslash");
        cases.put("/orders/%C3%28", "not UTF-8");
        cases.put("/orders/%zz", "two hex digits");
        cases.put("orders", "does not start with /");
        cases.forEach((path, problem) -> {
            for (String method : List.of("GET", "POST")) {
                Api.Answer answer = raw(method, path);
                String what = method + " " + path + " -> " + answer.body();
                assertEquals(400, answer.status(), what);
                assertEquals(-400, answer.code(), what);
                String message = answer.json().getString("msg");
                assertTrue(message.startsWith("invalid URI: ") && message.contains(problem), what);
                assertTrue(answer.json().isNull("data"), what);
                assertEquals(INSTANCE_NAME, answer.header("X-Instance"), "every answer names its instance");
            }
        });
    }

    @Test
    void leavesPathsTheServerResolvesToTheApplication() {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("/orders/a%2fb", 404);
        cases.put("/admin/events/../../x", 404);
        cases.put("/buy/ticket/../../orders/x", 404);
        cases.put("/./buy/./ticket/../../x", 404);
        cases.put("/error/http-layer/no-such-problem", 404);
        cases.forEach((path, status) -> {
            Api.Answer answer = raw("GET", path);
            assertEquals(status, answer.status(), path + " -> " + answer.body());
            assertEquals(-status, answer.code(), path);
        });
    }

    private Api.Answer raw(String method, String path) {
        return RawHttp.exchange(
                port(),
                method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                        + ("POST".equals(method) ? "\r\nContent-Length: 0" : ""),
                new byte[0]);
    }
}
