package io.ticketrush.order;

import java.util.Map;

import redis.clients.jedis.StreamEntryID;

/**
 * One entry of an event's hand-off stream: an order's new status ({@code R}, {@code P}, {@code E}), or a
 * reset of the sale ({@code Z}) after which rows of older generations are dropped. A reset carries the sale's
 * settings, {@code sale}: null when the sale keeps its orders out of the database (or the record predates them),
 * as such a sale cannot be restored from there.
 */
record HandoffRecord(StreamEntryID id, String eventId, char kind, String orderId, String userId, long expiresAt,
        long gen, long at, SaleRecord sale) {

    static final char RESET = 'Z';

    /** A sale's tickets and hold time, as opened. */
    record SaleRecord(long tickets, long holdMillis) {
    }

    static HandoffRecord of(String eventId, StreamEntryID id, Map<String, String> fields) {
        char kind = fields.get("s").charAt(0);
        long gen = Long.parseLong(fields.get("g"));
        if (kind == RESET) {
            SaleRecord sale = "1".equals(fields.get("d")) && fields.get("h") != null
                    ? new SaleRecord(Long.parseLong(fields.get("n")), Long.parseLong(fields.get("h")))
                    : null;
            return new HandoffRecord(id, eventId, kind, null, null, 0, gen, 0, sale);
        }
        return new HandoffRecord(id, eventId, kind, fields.get("o"), fields.get("u"), Long.parseLong(fields.get("x")),
                gen, Long.parseLong(fields.get("t")), null);
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
