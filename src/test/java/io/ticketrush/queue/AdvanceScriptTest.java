package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdvanceScriptTest {

    @Test
    void decodesARoundOfAnOpenWaitingRoom() {
        AdvanceScript.Reply reply = AdvanceScript.decode(List.of(1L, 40L, 1L, "77", 10L, "9.500", 0L));

        assertEquals(new AdvanceScript.Reply(AdvanceScript.Outcome.MOVED, 40, true, 77, 10, 9.5, false, 0), reply);
        assertFalse(reply.finished());
    }

    @Test
    void decodesTheTimeLeftBeforeTheOpening() {
        AdvanceScript.Reply reply = AdvanceScript.decode(List.of(1L, -1L, 0L, "77", 10L, "0", 0L, 2_500L));

        assertEquals(AdvanceScript.Outcome.BEFORE_OPENING, reply.outcome());
        assertEquals(2_500, reply.millisToOpening());
        assertEquals(-1, reply.frozen());
    }

    @Test
    void isFinishedWhenSettledOrGone() {
        assertTrue(AdvanceScript.decode(List.of(1L, 40L, 1L, "77", 10L, "9.500", 1L))
                .finished());
        assertTrue(AdvanceScript.decode(List.of(0L)).finished());
        assertEquals(
                AdvanceScript.Outcome.NO_WAITING_ROOM,
                AdvanceScript.decode(List.of(0L)).outcome());
    }

    @Test
    void recordsADigestWithItsGeneration() {
        assertEquals(List.of(""), AdvanceScript.arguments());
        assertEquals(List.of("ab12", "77"), AdvanceScript.arguments("ab12", 77));
    }
}
