package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class OpenScriptTest {

    private static final OpenScript.QueueSetup QUEUE =
            new OpenScript.QueueSetup(1_000, 5, 30_000, 1.5, "5eed", "c0", 20_000);
    private static final RequestId REQUEST = new RequestId("r1", "f1");

    @Test
    void passesTheSaleAloneWithoutWaitingRoomOrRequest() {
        assertEquals(List.of("10", "60000", "1"), OpenScript.arguments(10, 60_000, true, null, null));
        assertEquals(11, OpenScript.keys("e", null).size(), "the event's five and its waiting room's six");
    }

    @Test
    void passesTheWaitingRoomAfterTheSale() {
        assertEquals(
                List.of("10", "60000", "0", "1000", "5", "30000", "1.5", "5eed", "c0", "20000"),
                OpenScript.arguments(10, 60_000, false, QUEUE, null));
    }

    @Test
    void passesEmptyWaitingRoomArgumentsBeforeARequest() {
        assertEquals(
                List.of("10", "60000", "1", "", "", "", "", "", "", "", "f1", Long.toString(RequestId.KEEP_MILLIS)),
                OpenScript.arguments(10, 60_000, true, null, REQUEST));
        List<String> keys = OpenScript.keys("e", REQUEST);
        assertEquals(REQUEST.markerKey("e"), keys.get(11));
    }

    @Test
    void decodesEveryOutcome() {
        assertEquals(
                new OpenScript.Reply(OpenScript.Outcome.OPENED, 1_700_000_000_000_000L),
                OpenScript.decode(List.of(1L, 1_700_000_000_000_000L)));
        assertEquals(new OpenScript.Reply(OpenScript.Outcome.REPEATED, 9), OpenScript.decode(List.of(2L, 9L)));
        assertEquals(
                OpenScript.Outcome.ID_REUSED, OpenScript.decode(List.of(-422L)).outcome());
        assertThrows(IllegalStateException.class, () -> OpenScript.decode(List.of(3L)));
    }
}
