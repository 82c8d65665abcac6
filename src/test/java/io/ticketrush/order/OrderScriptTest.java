package io.ticketrush.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderScriptTest {

    @Test
    void readsTheOrderJudgedByRedisClock() {
        assertEquals(
                new OrderScript.Lookup(new Order("e1-4-q1w2e3", "e1", "Carol", OrderStatus.RESERVED, 9_000L), 0),
                OrderScript.decode(List.of(1L, "e1-4-q1w2e3", "R|9000|Carol", 8_999L)));
        assertEquals(
                OrderStatus.EXPIRED,
                OrderScript.decode(List.of(1L, "e1-4-q1w2e3", "R|9000|Carol", 9_000L))
                        .order()
                        .status());
    }

    @Test
    void readsAnOrderRedisDoesNotHoldAsTheSaleGeneration() {
        assertEquals(
                new OrderScript.Lookup(null, 1_765_000_000_000_000L),
                OrderScript.decode(List.of(-404L, 1_765_000_000_000_000L)));
        assertEquals(new OrderScript.Lookup(null, 0), OrderScript.decode(List.of(-404L, 0L)), "no sale in Redis");
    }

    @Test
    void refusesACodeTheScriptDoesNotList() {
        assertThrows(IllegalStateException.class, () -> OrderScript.decode(List.of(-409L, "e1-4-q1w2e3")));
    }
}
