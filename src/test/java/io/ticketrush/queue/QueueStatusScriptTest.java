package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueueStatusScriptTest {

    @Test
    void decodesEveryFieldOfAWaitingRoom() {
        QueueStatusScript.Reading reading = QueueStatusScript.decode(
                "e",
                List.of(
                        1L, "80", "1000", "5", "30000", "1.5", "1", "12", "4", "d1", "6", "2", "1", "4.250", "c0", "5e",
                        "10", "3", "2", "1001", "79", "500"));

        assertEquals(QueueStatusScript.Outcome.QUEUED, reading.outcome());
        assertEquals(79, reading.saleGen());
        assertEquals(
                new QueueStatus(
                        "e", 80, 1000, 5, 30_000, 1.5, true, 12, 4, "d1", 6, 2, 1, 4.25, "c0", "5e", 10, 3, 2, 1001,
                        500),
                reading.status());
    }

    @Test
    void decodesWhatIsNotThereYet() {
        QueueStatus status = QueueStatusScript.decode(
                        "e",
                        List.of(
                                1L, "80", "1000", "5", "30000", "1.0", "0", "0", "", "", "0", "0", "0", "", "c0", "5e",
                                "10", "0", "0", "999", "80", "0"))
                .status();

        assertEquals(-1, status.frozen());
        assertNull(status.digest());
        assertEquals(0.0, status.measuredRate());
        assertNull(status.seed(), "the seed stays secret until the pre-queue is frozen");
    }

    @Test
    void decodesNoWaitingRoomWithTheSalesGeneration() {
        assertEquals(
                new QueueStatusScript.Reading(QueueStatusScript.Outcome.NO_WAITING_ROOM, null, 42),
                QueueStatusScript.decode("e", List.of(-404L, "42")));
        assertEquals(0, QueueStatusScript.decode("e", List.of(-404L, "")).saleGen(), "no sale at all");
    }
}
