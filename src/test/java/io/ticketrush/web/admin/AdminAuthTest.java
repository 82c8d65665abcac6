package io.ticketrush.web.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminAuthTest {

    @Test
    void acceptsTheBearerToken() {
        AdminAuth auth = withToken("s3cret");
        assertTrue(auth.accepts("Bearer s3cret"));
        assertTrue(auth.accepts("bearer s3cret "), "the scheme is case-insensitive");
    }

    @Test
    void refusesAnythingElse() {
        AdminAuth auth = withToken("s3cret");
        assertFalse(auth.accepts(null));
        assertFalse(auth.accepts(""));
        assertFalse(auth.accepts("s3cret"));
        assertFalse(auth.accepts("Basic s3cret"));
        assertFalse(auth.accepts("Bearer s3cre"));
        assertFalse(auth.accepts("Bearer s3cret2"));
        assertFalse(auth.accepts("Bearer "));
    }

    @Test
    void staysClosedWithoutAConfiguredToken() {
        for (Optional<String> none : java.util.List.of(Optional.<String>empty(), Optional.of(""), Optional.of("  "))) {
            AdminAuth auth = new AdminAuth();
            auth.token = none;
            auth.init();
            assertFalse(auth.configured());
            assertFalse(auth.accepts("Bearer "), "an empty token never opens the API");
            assertFalse(auth.accepts("Bearer  "));
        }
    }

    @Test
    void answersServiceUnavailableWhenNoTokenIsConfiguredAndUnauthorizedForAWrongOne() {
        AdminAuth closed = new AdminAuth();
        closed.token = Optional.empty();
        closed.init();
        ApiException unavailable =
                assertThrows(ApiException.class, () -> closed.check(request("Bearer anything"), response()));
        assertEquals(503, unavailable.status());
        assertTrue(unavailable.getMessage().contains("no admin token is configured"));

        ApiException unauthorized =
                assertThrows(ApiException.class, () -> withToken("s3cret").check(request("Bearer nope"), response()));
        assertEquals(401, unauthorized.status());
    }

    /** Just enough of a request for check(): its Authorization header. */
    private static HttpServletRequest request(String authorization) {
        return (HttpServletRequest) Proxy.newProxyInstance(
                AdminAuthTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) ->
                        "getHeader".equals(method.getName()) && "Authorization".equals(args[0]) ? authorization : null);
    }

    private static HttpServletResponse response() {
        return (HttpServletResponse) Proxy.newProxyInstance(
                AdminAuthTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class},
                (proxy, method, args) -> null);
    }

    private static AdminAuth withToken(String token) {
        AdminAuth auth = new AdminAuth();
        auth.token = Optional.of(token);
        auth.init();
        return auth;
    }
}
