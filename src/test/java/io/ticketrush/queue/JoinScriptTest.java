package io.ticketrush.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class JoinScriptTest {

    @Test
    void givesEachBuyerOfACallTheirOwnPlaceAndTheSharedState() {
        JoinScript.Reply reply = JoinScript.decode(List.of(1L, 5L, "1700000000000000", 3L, 2L, 1L, 0L, 6L, 4L));

        assertEquals(List.of(5L, 6L, 4L), reply.places());
        assertEquals(
                new JoinScript.Place(JoinScript.Outcome.JOINED, 6, 1_700_000_000_000_000L, 3, 2, true, false),
                reply.place(1));
        assertEquals(4, reply.place(2).place());
    }

    @Test
    void decodesAPreQueueNotFrozenAndASoldOutSale() {
        JoinScript.Place place =
                JoinScript.decode(List.of(1L, 1L, "7", -1L, 0L, 0L, 1L)).place(0);

        assertEquals(-1, place.frozen());
        assertEquals(true, place.soldOut());
    }

    @Test
    void answersNoWaitingRoomForEveryBuyer() {
        JoinScript.Reply reply = JoinScript.decode(List.of(-404L));

        assertEquals(JoinScript.Outcome.NO_WAITING_ROOM, reply.outcome());
        assertEquals(JoinScript.Outcome.NO_WAITING_ROOM, reply.place(3).outcome());
    }

    @Test
    void passesTwoArgumentsPerBuyerInArrivalOrder() {
        assertEquals(
                List.of("ann", "h1", "bob", "h2"),
                JoinScript.arguments(List.of(new JoinScript.Buyer("ann", "h1"), new JoinScript.Buyer("bob", "h2"))));
        assertEquals(List.of("tr:{e}:stock", "tr:{e}:queue", "tr:{e}:places", "tr:{e}:joins"), JoinScript.keys("e"));
    }
}
