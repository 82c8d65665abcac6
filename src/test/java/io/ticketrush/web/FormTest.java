package io.ticketrush.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FormTest {

    @Test
    void readsAnIdTrimmed() {
        assertEquals("alice", Form.parse("userId=%20alice+&eventId=x").id("userId", null));
    }

    @Test
    void fallsBackWhenAnOptionalIdIsAbsent() {
        assertEquals("default", Form.parse("userId=alice").id("eventId", "default"));
    }

    @Test
    void refusesAMissingRequiredId() {
        assertEquals("userId is required", refusal("eventId=x", "userId"));
    }

    @Test
    void refusesAnIdGivenTwice() {
        assertEquals("userId is given more than once", refusal("userId=a&userId=b", "userId"));
    }

    @Test
    void refusesBrokenPercentEncoding() {
        assertEquals("the form is not properly URL-encoded", refusal("userId=%zz", "userId"));
        assertEquals("the form is not properly URL-encoded", refusal("userId=abc%", "userId"));
    }

    @Test
    void refusesInvalidUtf8AsAnIllegalCharacter() {
        assertEquals("userId may only contain letters, digits and _ . : @ -", refusal("userId=a%C3%28", "userId"));
    }

    @Test
    void treatsANameWithoutValueAsBlank() {
        assertEquals("userId is blank", refusal("userId", "userId"));
    }

    @Test
    void readsAFlagFalseWhenAbsent() {
        assertEquals(true, Form.parse("retry=true").flag("retry"));
        assertEquals(true, Form.parse("retry=+TRUE").flag("retry"));
        assertEquals(false, Form.parse("retry=false").flag("retry"));
        assertEquals(false, Form.parse("userId=a").flag("retry"));
    }

    @Test
    void refusesAFlagThatIsNotTrueOrFalse() {
        for (String bad : new String[] {"retry=1", "retry=yes", "retry", "retry=true&retry=true"}) {
            ApiException e =
                    assertThrows(ApiException.class, () -> Form.parse(bad).flag("retry"), bad);
            assertEquals(400, e.status());
            assertEquals(
                    bad.contains("&") ? "retry is given more than once" : "retry must be true or false",
                    e.getMessage());
        }
    }

    private static String refusal(String encoded, String name) {
        ApiException e =
                assertThrows(ApiException.class, () -> Form.parse(encoded).id(name, null));
        assertEquals(400, e.status());
        return e.getMessage();
    }
}
