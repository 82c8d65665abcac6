package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueuePauseScriptTest {

    @Test
    void decodesDoneAndNoWaitingRoom() {
        assertEquals(QueuePauseScript.Outcome.DONE, QueuePauseScript.decode(1L));
        assertEquals(QueuePauseScript.Outcome.NO_WAITING_ROOM, QueuePauseScript.decode(0L));
    }

    @Test
    void passesPauseAsOneAndResumeAsZero() {
        assertEquals(List.of("1"), QueuePauseScript.arguments(true));
        assertEquals(List.of("0"), QueuePauseScript.arguments(false));
    }
}
