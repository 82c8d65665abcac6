package io.ticketrush.order;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ticketrush.order.SweepScript.SaleState;
import io.ticketrush.order.SweepScript.Sweep;
import java.util.List;
import org.junit.jupiter.api.Test;

class SweepScriptTest {

    @Test
    void readsASweepOfASaleStillSelling() {
        Sweep sweep = SweepScript.decode(List.of(3L, 250L, 0L));

        assertEquals(new Sweep(3, 250, SaleState.ACTIVE), sweep);
        assertFalse(sweep.finished());
    }

    @Test
    void readsASaleThatIsOverAsFinished() {
        Sweep sweep = SweepScript.decode(List.of(0L, 60_000L, 1L));

        assertEquals(new Sweep(0, 60_000, SaleState.OVER), sweep);
        assertTrue(sweep.finished());
    }

    @Test
    void readsASaleRedisDoesNotHave() {
        assertEquals(new Sweep(0, -1, SaleState.GONE), SweepScript.decode(List.of(0L, -1L, 2L)));
        assertEquals(
                new Sweep(0, -1, SaleState.ACTIVE),
                SweepScript.decode(List.of(0L, -1L, 0L)),
                "gone from Redis, its stream not all handed off yet");
    }

    @Test
    void refusesAStateTheScriptDoesNotList() {
        assertThrows(IllegalStateException.class, () -> SweepScript.decode(List.of(0L, 5L, 3L)));
        assertThrows(IllegalStateException.class, () -> SweepScript.decode(List.of(0L, 5L)));
    }
}
