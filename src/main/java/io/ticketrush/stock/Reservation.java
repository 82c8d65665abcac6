package io.ticketrush.stock;

import io.ticketrush.model.Order;

/**
 * What became of one purchase attempt; {@code order} is set for RESERVED and ALREADY_HELD, {@code refusal} (why,
 * for the buyer) for NOT_ADMITTED. {@code sharedThrough}, when not 0, is the epoch second (Redis's clock) through
 * which a SOLD_OUT answer may be given to every buyer of the sale without asking again: Redis said so just now.
 */
public record Reservation(Outcome outcome, Order order, String refusal, long sharedThrough) {

    public enum Outcome {
        RESERVED,
        SOLD_OUT,
        ALREADY_HELD,
        NO_SUCH_EVENT,
        /** The sale was deleted by the operator (its tombstone is in Redis): there is no such event any more. */
        DELETED,
        /** A sale with a waiting room, and the buyer's admission is missing, of an earlier sale, used or lapsed. */
        NOT_ADMITTED,
        /** No permit came free in time: the sale is not sold out, the buyer should try again shortly. */
        BUSY
    }

    public Reservation(Outcome outcome, Order order) {
        this(outcome, order, null, 0);
    }

    public Reservation(Outcome outcome, Order order, String refusal) {
        this(outcome, order, refusal, 0);
    }

    public static final Reservation SOLD_OUT = new Reservation(Outcome.SOLD_OUT, null);
    public static final Reservation NO_SUCH_EVENT = new Reservation(Outcome.NO_SUCH_EVENT, null);
    public static final Reservation DELETED = new Reservation(Outcome.DELETED, null);
    public static final Reservation BUSY = new Reservation(Outcome.BUSY, null);

    /** Sold out, as Redis said at {@code redisNowMillis}: shareable to the end of that second. */
    public static Reservation soldOutAt(long redisNowMillis) {
        return new Reservation(Outcome.SOLD_OUT, null, null, redisNowMillis / 1000);
    }
}
