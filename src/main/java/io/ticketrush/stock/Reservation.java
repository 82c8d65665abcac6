package io.ticketrush.stock;

import io.ticketrush.order.Order;

/** What became of one purchase attempt; {@code order} is set for RESERVED and ALREADY_HELD. */
public record Reservation(Outcome outcome, Order order) {

    public enum Outcome {
        RESERVED,
        SOLD_OUT,
        ALREADY_HELD,
        NO_SUCH_EVENT
    }

    static final Reservation SOLD_OUT = new Reservation(Outcome.SOLD_OUT, null);
    static final Reservation NO_SUCH_EVENT = new Reservation(Outcome.NO_SUCH_EVENT, null);
}
