package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldScriptTest {

    @Test
    void readsTheOrderTheBuyerHolds() {
        assertEquals(
                new Reservation(
                        Reservation.Outcome.ALREADY_HELD, new Order("e1-2-zz9", "e1", "Bob", OrderStatus.PAID, 1_000L)),
                HeldScript.decode(List.of(-2L, "e1-2-zz9", "P|1000|Bob", 5_000L)));
    }

    @Test
    void readsABuyerWithoutAnOrderAsSoldOut() {
        assertSame(Reservation.SOLD_OUT, HeldScript.decode(List.of(-1L)));
    }

    @Test
    void readsASaleRedisDoesNotHaveAndADeletedOne() {
        assertSame(Reservation.NO_SUCH_EVENT, HeldScript.decode(List.of(-404L)));
        assertSame(Reservation.DELETED, HeldScript.decode(List.of(-410L)));
    }

    @Test
    void refusesACodeTheScriptDoesNotList() {
        assertThrows(IllegalStateException.class, () -> HeldScript.decode(List.of(1L, "e1-2-zz9", "P|1000|Bob", 5L)));
    }
}
