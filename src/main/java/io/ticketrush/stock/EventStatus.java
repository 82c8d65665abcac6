package io.ticketrush.stock;

/** The unified stock of one event as Redis holds it; {@code gen} changes whenever the sale is reset. */
public record EventStatus(String eventId, long tickets, long reserved, long paid, long gen) {

    public long available() {
        return Math.max(0, tickets - reserved - paid);
    }
}
