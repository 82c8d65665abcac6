package io.ticketrush.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Alice", "user_1", "a.b", "e:42", "me@example.com", "x-y", "0123456789"})
    void acceptsIdsOfTheAllowedCharacters(String id) {
        assertEquals(id, Ids.check("userId", id));
        assertTrue(Ids.isValid(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a/b", "a{b}", "<x>", "é", "a\u0000", "a\tb", "a+b", "a%20"})
    void refusesOtherCharacters(String id) {
        InvalidIdException e = assertThrows(InvalidIdException.class, () -> Ids.check("userId", id));
        assertTrue(e.getMessage().startsWith("userId"));
        assertFalse(Ids.isValid(id));
    }

    @Test
    void trimsBeforeChecking() {
        assertEquals("bob", Ids.check("userId", " \tbob\n "));
    }

    @Test
    void acceptsSixtyFourCharactersAndNoMore() {
        assertEquals(64, Ids.check("userId", "x".repeat(64)).length());
        assertEquals(
                "userId is longer than 64 characters",
                assertThrows(InvalidIdException.class, () -> Ids.check("userId", "x".repeat(65)))
                        .getMessage());
    }

    @Test
    void refusesBlankIds() {
        assertEquals(
                "eventId is blank",
                assertThrows(InvalidIdException.class, () -> Ids.check("eventId", "   "))
                        .getMessage());
        assertFalse(Ids.isValid(""));
    }
}
