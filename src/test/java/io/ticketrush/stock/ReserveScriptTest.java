package io.ticketrush.stock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReserveScriptTest {

    private static final long NOW = 1_700_000_000_500L;

    @Test
    void readsANewReservationAsItsOrder() {
        Reservation reservation =
                ReserveScript.decode(List.of(1L, "e1-7-abc123", "R|1700000060500|Alice", NOW), false, "e1");

        assertEquals(
                new Reservation(
                        Reservation.Outcome.RESERVED,
                        new Order("e1-7-abc123", "e1", "Alice", OrderStatus.RESERVED, 1_700_000_060_500L)),
                reservation);
    }

    @Test
    void readsSoldOutAsTheSharedConstantUnlessTheAnswerIsShared() {
        assertSame(Reservation.SOLD_OUT, ReserveScript.decode(List.of(-1L, NOW), false, "e1"));
        assertEquals(
                new Reservation(Reservation.Outcome.SOLD_OUT, null, null, 1_700_000_000L),
                ReserveScript.decode(List.of(-1L, NOW), true, "e1"),
                "shareable through Redis's second");
    }

    @Test
    void readsTheOrderABuyerAlreadyHoldsExpiredByRedisClock() {
        Reservation reservation =
                ReserveScript.decode(List.of(-2L, "e1-3-abc123", "R|1700000000400|alice", NOW), false, "e1");

        assertEquals(
                new Reservation(
                        Reservation.Outcome.ALREADY_HELD,
                        new Order("e1-3-abc123", "e1", "alice", OrderStatus.EXPIRED, 1_700_000_000_400L)),
                reservation);
    }

    @Test
    void readsEachRefusalOfAnAdmissionAsWhatTheBuyerIsTold() {
        for (ReserveScript.Refusal refusal : ReserveScript.Refusal.values()) {
            String word = switch (refusal) {
                case REQUIRED -> "required";
                case EARLIER_SALE -> "earlier sale";
                case USED -> "used";
                case LAPSED -> "lapsed";
            };
            assertEquals(
                    new Reservation(Reservation.Outcome.NOT_ADMITTED, null, refusal.message()),
                    ReserveScript.decode(List.of(-403L, word), false, "e1"),
                    word);
        }
        assertEquals("the admission lapsed: its window has passed", ReserveScript.Refusal.LAPSED.message());
        assertThrows(IllegalStateException.class, () -> ReserveScript.decode(List.of(-403L, "bribed"), false, "e1"));
    }

    @Test
    void readsASaleRedisDoesNotHaveAndADeletedOne() {
        assertSame(Reservation.NO_SUCH_EVENT, ReserveScript.decode(List.of(-404L), false, "e1"));
        assertSame(Reservation.DELETED, ReserveScript.decode(List.of(-410L), false, "e1"));
    }

    @Test
    void refusesACodeTheScriptDoesNotList() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> ReserveScript.decode(List.of(7L), false, "e1"));
        assertEquals("reserve.lua answered [7] for e1", e.getMessage());
    }
}
