package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionScriptTest {

    @Test
    void decodesAnAdmissionWithItsDeadline() {
        assertEquals(
                new AdmissionScript.Reply(AdmissionScript.Outcome.ADMITTED, 1_800_000_000_000L, 0, false),
                AdmissionScript.decode(List.of(1L, 1_800_000_000_000L)));
    }

    @Test
    void decodesNotYetWithReachAndPause() {
        assertEquals(
                new AdmissionScript.Reply(AdmissionScript.Outcome.PRE_QUEUE, 0, 0, false),
                AdmissionScript.decode(List.of(-3L, "PRE_QUEUE", 0L, "0")));
        assertEquals(
                new AdmissionScript.Reply(AdmissionScript.Outcome.WAITING, 0, 12, true),
                AdmissionScript.decode(List.of(-3L, "WAITING", 12L, "1")));
    }

    @Test
    void namesEveryRefusal() {
        assertEquals(
                AdmissionScript.Outcome.SOLD_OUT,
                AdmissionScript.decode(List.of(-1L)).outcome());
        assertEquals(
                AdmissionScript.Outcome.USED,
                AdmissionScript.decode(List.of(-409L, "used")).outcome());
        assertEquals(
                AdmissionScript.Outcome.LAPSED,
                AdmissionScript.decode(List.of(-409L, "lapsed")).outcome());
        assertEquals(
                AdmissionScript.Outcome.EARLIER_SALE,
                AdmissionScript.decode(List.of(-410L)).outcome());
        assertEquals(
                AdmissionScript.Outcome.NO_WAITING_ROOM,
                AdmissionScript.decode(List.of(-404L)).outcome());
        assertThrows(IllegalStateException.class, () -> AdmissionScript.decode(List.of(-7L)));
    }

    @Test
    void passesAnUnknownPositionAsEmpty() {
        assertEquals(List.of("9", "4", ""), AdmissionScript.arguments(9, 4, null));
        assertEquals(List.of("9", "4", "2"), AdmissionScript.arguments(9, 4, 2L));
    }
}
