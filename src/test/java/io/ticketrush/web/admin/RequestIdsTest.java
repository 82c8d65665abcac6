package io.ticketrush.web.admin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which request ids an admin change may be applied once under: visible ASCII, 1 to 255 characters. */
class RequestIdsTest {

    @Test
    void acceptsNginxsRequestIdsUuidsAndAnyVisibleAscii() {
        for (String id : List.of(
                "0123456789abcdef0123456789abcdef",
                "6f1c2b4e-8d9a-4c3b-9e2f-1a2b3c4d5e6f",
                "x",
                "a{b}c:d/e+f=",
                "k".repeat(RequestIds.MAX_LENGTH))) {
            assertTrue(RequestIds.isValid(id), id);
        }
    }

    @Test
    void refusesEmptyOverlongSpacedOrNonAsciiIds() {
        for (String id : List.of(
                "", "k".repeat(RequestIds.MAX_LENGTH + 1), "two words", "tab\there", "caf\u00e9", "line\nbreak")) {
            assertFalse(RequestIds.isValid(id), id);
        }
    }
}
