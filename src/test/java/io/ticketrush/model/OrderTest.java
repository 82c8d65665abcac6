package io.ticketrush.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrderTest {

    @Test
    void readsTheStoredRecord() {
        Order order = Order.fromRecord("concert-42-k3j9x2", "R|2000|Alice", 1000);
        assertEquals(new Order("concert-42-k3j9x2", "concert", "Alice", OrderStatus.RESERVED, 2000), order);
    }

    @Test
    void reportsAReservationPastItsDeadlineAsExpiredBeforeTheSweeperComes() {
        assertEquals(
                OrderStatus.EXPIRED,
                Order.fromRecord("e-1-a", "R|2000|bob", 2000).status());
        assertEquals(
                OrderStatus.PAID, Order.fromRecord("e-1-a", "P|2000|bob", 5000).status(), "paid stays paid");
        assertEquals(
                OrderStatus.EXPIRED,
                Order.fromRecord("e-1-a", "E|2000|bob", 1000).status());
    }

    @Test
    void findsTheEventOfAnOrderIdEvenWhenTheEventHasDashes() {
        assertEquals("my-big-show", Order.eventIdOf("my-big-show-17-abc123"));
        assertEquals("default", Order.eventIdOf("default-1-zzzzzz"));
        assertEquals("a.b:c@d", Order.eventIdOf("a.b:c@d-9-x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "e-1", "e-x-abc", "-1-abc", "e-1-", "e--abc", "e/x-1-abc", "e-1-ab/c", "e-1-é"})
    void refusesIdsThatCannotBeOurs(String orderId) {
        assertNull(Order.eventIdOf(orderId));
    }

    @Test
    void readsTheSequenceOfAnOrderId() {
        assertEquals(42, Order.sequenceOf("summer-fest-42-abc123"));
        assertEquals(1, Order.sequenceOf("e-1-x"));
    }
}
