package io.ticketrush.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.ticketrush.model.QueueSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.StreamEntryID;

/** A reset record carries the sale's settings, its waiting room's too, so a lost sale can be restored with both. */
class HandoffRecordTest {

    @Test
    void readsTheWaitingRoomsSettingsFromAResetRecord() {
        HandoffRecord record = HandoffRecord.of(
                "concert",
                new StreamEntryID(1, 0),
                Map.of(
                        "s",
                        "Z",
                        "g",
                        "7",
                        "n",
                        "500",
                        "h",
                        "60000",
                        "d",
                        "1",
                        "qo",
                        "1796225271945",
                        "qr",
                        "200",
                        "qw",
                        "120000",
                        "qb",
                        "1.5"));

        assertEquals(
                new HandoffRecord.SaleRecord(500, 60_000, new QueueSettings(1_796_225_271_945L, 200, 120, 1.5)),
                record.sale());
    }

    @Test
    void readsTheProofOfWorkOfAWaitingRoomAndNoneFromAnOlderRecord() {
        HandoffRecord record = HandoffRecord.of(
                "concert",
                new StreamEntryID(1, 0),
                Map.of(
                        "s",
                        "Z",
                        "g",
                        "7",
                        "n",
                        "500",
                        "h",
                        "60000",
                        "d",
                        "1",
                        "qo",
                        "1796225271945",
                        "qr",
                        "200",
                        "qw",
                        "120000",
                        "qb",
                        "1.0",
                        "qp",
                        "50000"));

        assertEquals(
                new QueueSettings(1_796_225_271_945L, 200, 120, 1.0, 50_000),
                record.sale().queue());
        assertEquals(
                0,
                HandoffRecord.of(
                                "concert",
                                new StreamEntryID(1, 0),
                                Map.of(
                                        "s",
                                        "Z",
                                        "g",
                                        "7",
                                        "n",
                                        "500",
                                        "h",
                                        "60000",
                                        "d",
                                        "1",
                                        "qo",
                                        "1796225271945",
                                        "qr",
                                        "200",
                                        "qw",
                                        "120000",
                                        "qb",
                                        "1.0"))
                        .sale()
                        .queue()
                        .proofOfWork(),
                "an entry written before proofOfWork existed asks for none");
    }

    @Test
    void readsASaleWithoutAWaitingRoomAsOneWithout() {
        HandoffRecord record = HandoffRecord.of(
                "plain", new StreamEntryID(1, 0), Map.of("s", "Z", "g", "7", "n", "500", "h", "60000", "d", "1"));

        assertNull(record.sale().queue());
        assertNull(
                HandoffRecord.of(
                                "bench",
                                new StreamEntryID(1, 0),
                                Map.of("s", "Z", "g", "7", "n", "5", "h", "1", "d", "0"))
                        .sale(),
                "a sale kept out of the database has no settings there");
    }
}
