package io.ticketrush.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BuyerKeyTest {

    @Test
    void makesOneBuyerOfIdsThatDifferOnlyInCase() {
        assertEquals("alice.b@example.com", BuyerKey.of("Alice.B@EXAMPLE.com"));
        assertTrue(BuyerKey.sameBuyer("Alice", "aLICE"));
        assertFalse(BuyerKey.sameBuyer("alice", "alice2"));
    }

    @Test
    void keepsEveryOtherCharacterOfAnId() {
        assertEquals("o:mixed-case_9", BuyerKey.of("o:Mixed-Case_9"));
    }
}
