package io.ticketrush.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static AdminAuth withToken(String token) {
        AdminAuth auth = new AdminAuth();
        auth.token = Optional.of(token);
        auth.init();
        return auth;
    }
}
