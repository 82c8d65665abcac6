package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which request paths the server would refuse before the WAR sees them, and why. */
class UriProblemTest {

    @ParameterizedTest
    @CsvSource({
        "/orders/%2e%2e%2f%2e%2e, ABOVE_ROOT",
        "/../x, ABOVE_ROOT",
        "/orders/../.., ABOVE_ROOT",
        "/%2e%2e/%2e%2e/etc/passwd, ABOVE_ROOT",
        "/a/./../../b, ABOVE_ROOT",
        "/orders/%zz, BAD_ESCAPE",
        "/orders/%, BAD_ESCAPE",
        "/orders/%2, BAD_ESCAPE",
        "/orders/%C3%28, NOT_UTF8",
        "/orders/%FF, NOT_UTF8",
        "/orders/a%00b, NUL",
        "/orders/a%5cb, BACKSLASH",
        "/orders/a\\b, BACKSLASH",
        "orders, NOT_ABSOLUTE"
    })
    void namesWhatTheServerWouldRefuse(String path, UriProblem expected) {
        assertEquals(expected, UriProblem.of(path));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/",
                "*",
                "/orders/x-1-abc",
                "/orders/a%2fb",
                "/admin/events/../../x",
                "/buy/ticket/../../orders/x",
                "/./buy/./ticket/../../x",
                "/orders/..",
                "//orders//x",
                "/orders/%C3%A9",
                "/admin/events/%7Bx%7D"
            })
    void letsEveryOtherPathThrough(String path) {
        assertNull(UriProblem.of(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ABOVE_ROOT", "BAD_ESCAPE", "NOT_UTF8", "NUL", "BACKSLASH", "NOT_ABSOLUTE"})
    void travelsAsAPathSegment(UriProblem problem) {
        assertEquals(problem, UriProblem.ofCode(problem.code()));
    }
}
