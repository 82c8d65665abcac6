package io.ticketrush.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MembersScriptTest {

    @Test
    void readsTheWeightAliveAndHowManyInstancesCarryIt() {
        assertEquals(new Members.Alive(5, 2), MembersScript.decode(List.of(5L, 2L)));
    }

    @Test
    void readsNoInstanceAliveAfterTheLastOneLeft() {
        assertEquals(new Members.Alive(0, 0), MembersScript.decode(List.of(0L, 0L)));
    }

    @Test
    void refusesAReplyOfAnotherShape() {
        assertThrows(IllegalStateException.class, () -> MembersScript.decode(List.of("5", 2L)));
        assertThrows(IllegalStateException.class, () -> MembersScript.decode(5L));
    }
}
