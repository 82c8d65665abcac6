package io.ticketrush.order;

import java.util.Map;

import redis.clients.jedis.StreamEntryID;

/**
 * One entry of an event's hand-off stream: an order's new status ({@code R}, {@code P}, {@code E}), or a
 * reset of the sale ({@code Z}) after which rows of older generations are dropped.
 */
record HandoffRecord(StreamEntryID id, String eventId, char kind, String orderId, String userId, long expiresAt,
        long gen, long at) {

    static final char RESET = 'Z';

    static HandoffRecord of(String eventId, StreamEntryID id, Map<String, String> fields) {
        char kind = fields.get("s").charAt(0);
        long gen = Long.parseLong(fields.get("g"));
        if (kind == RESET) {
            return new HandoffRecord(id, eventId, kind, null, null, 0, gen, 0);
        }
        return new HandoffRecord(id, eventId, kind, fields.get("o"), fields.get("u"), Long.parseLong(fields.get("x")),
                gen, Long.parseLong(fields.get("t")));
    }

    boolean isReset() {
        return kind == RESET;
    }

    /** RESERVED comes before PAID and EXPIRED; a status never moves back. */
    int rank() {
        return kind == 'R' ? 0 : 1;
    }

    String status() {
        return OrderStatus.ofLetter(kind).name();
    }
}
