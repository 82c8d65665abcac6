package io.ticketrush.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HandoffLagScriptTest {

    @Test
    void readsEntriesPendingAndUndeliveredAndAddsThem() {
        HandoffLagScript.Lag lag = HandoffLagScript.decode(List.of(2L, 5L));

        assertEquals(new HandoffLagScript.Lag(2, 5), lag);
        assertEquals(7, lag.total());
    }

    @Test
    void readsNoLagWithoutAStream() {
        assertEquals(0, HandoffLagScript.decode(List.of(0L, 0L)).total());
    }

    @Test
    void refusesAReplyOfAnotherShape() {
        assertThrows(IllegalStateException.class, () -> HandoffLagScript.decode(List.of(2L)));
    }
}
