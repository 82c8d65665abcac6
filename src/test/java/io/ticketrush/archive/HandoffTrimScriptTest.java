package io.ticketrush.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HandoffTrimScriptTest {

    @Test
    void readsHowManyEntriesWent() {
        assertEquals(4, HandoffTrimScript.decode(4L));
        assertEquals(0, HandoffTrimScript.decode(0L));
    }

    @Test
    void refusesAReplyOfAnotherShape() {
        assertThrows(IllegalStateException.class, () -> HandoffTrimScript.decode(List.of(4L)));
    }
}
