package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreScriptTest {

    @Test
    void decodesTheCountsRestoredAndTheRefusals() {
        assertEquals(
                new RestoreScript.Reply(RestoreScript.Outcome.RESTORED, 2, 1, 1_700_000_000_000_001L),
                RestoreScript.decode(List.of(2L, 1L, 1_700_000_000_000_001L)));
        assertEquals(
                RestoreScript.Outcome.ON_SALE,
                RestoreScript.decode(List.of(-409L)).outcome());
        assertEquals(
                RestoreScript.Outcome.DELETED,
                RestoreScript.decode(List.of(-410L)).outcome());
    }

    @Test
    void passesTheSaleThenItsWaitingRoomThenFivePerOrder() {
        Order held = new Order("e-7-a", "e", "Ann", OrderStatus.RESERVED, 5_000);
        Order paid = new Order("e-3-b", "e", "bob", OrderStatus.PAID, 4_000);
        ArchivedSale sale = new ArchivedSale("e", 77, 10, 60_000, null, List.of(held, paid));

        assertEquals(
                List.of(
                        "10", "60000", "77", "7", "", "", "", "", "", "", "", "e-7-a", "R", "5000", "ann", "Ann",
                        "e-3-b", "P", "4000", "bob", "bob"),
                RestoreScript.arguments(sale, null));
    }

    @Test
    void passesTheWaitingRoomLikeOpenDoes() {
        OpenScript.QueueSetup queue = new OpenScript.QueueSetup(1_000, 5, 30_000, 1.5, "5eed", "c0", 0);

        assertEquals(
                List.of("10", "60000", "77", "0", "1000", "5", "30000", "1.5", "5eed", "c0", "0"),
                RestoreScript.arguments(new ArchivedSale("e", 77, 10, 60_000, null, List.of()), queue));
    }
}
