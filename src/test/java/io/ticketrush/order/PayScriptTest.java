package io.ticketrush.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import io.ticketrush.order.Orders.Payment;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayScriptTest {

    @Test
    void readsAPaymentWithThePaidOrder() {
        Payment payment = PayScript.decode(List.of(1L, "e1-1-abcdef", "P|2000|Dave", 1_500L));

        assertEquals(
                new Payment(Payment.Outcome.PAID, new Order("e1-1-abcdef", "e1", "Dave", OrderStatus.PAID, 2_000L)),
                payment);
        assertTrue(payment.paid());
    }

    @Test
    void readsAHoldThatRanOutWithTheOrderExpired() {
        Payment payment = PayScript.decode(List.of(-409L, "e1-1-abcdef", "R|2000|Dave", 2_000L));

        assertEquals(
                new Payment(
                        Payment.Outcome.HOLD_EXPIRED,
                        new Order("e1-1-abcdef", "e1", "Dave", OrderStatus.EXPIRED, 2_000L)),
                payment);
        assertFalse(payment.paid());
    }

    @Test
    void readsNoSuchOrder() {
        assertEquals(new Payment(Payment.Outcome.NO_SUCH_ORDER, null), PayScript.decode(List.of(-404L)));
    }

    @Test
    void refusesACodeTheScriptDoesNotList() {
        assertThrows(IllegalStateException.class, () -> PayScript.decode(List.of(-1L)));
    }
}
