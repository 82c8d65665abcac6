package io.ticketrush.stock;

import io.ticketrush.order.Order;

/**
 * What became of one purchase attempt; {@code order} is set for RESERVED and ALREADY_HELD, {@code refusal} (why,
 * for the buyer) for NOT_ADMITTED.
 */
public record Reservation(Outcome outcome, Order order, String refusal) {

    public enum Outcome {
        RESERVED,
        SOLD_OUT,
        ALREADY_HELD,
        NO_SUCH_EVENT,
        /** The sale was deleted by the operator (its tombstone is in Redis): there is no such event any more. */
        DELETED,
        /** A sale with a waiting room, and the buyer's admission is missing, of an earlier sale, used or lapsed. */
        NOT_ADMITTED
    }

    public Reservation(Outcome outcome, Order order) {
        this(outcome, order, null);
    }

    public static final Reservation SOLD_OUT = new Reservation(Outcome.SOLD_OUT, null);
    public static final Reservation NO_SUCH_EVENT = new Reservation(Outcome.NO_SUCH_EVENT, null);
    public static final Reservation DELETED = new Reservation(Outcome.DELETED, null);
}
