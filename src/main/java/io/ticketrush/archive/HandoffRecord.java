package io.ticketrush.archive;

import io.ticketrush.model.OrderStatus;
import io.ticketrush.model.QueueSettings;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;

/**
 * One entry of an event's hand-off stream {@code tr:{event}:stream}, written by the Lua scripts in the same
 * atomic step as the change it records. This is the one description of its fields; the scripts point here.
 *
 * <p>An order's new status, written by {@code reserve.lua} ({@code R}), {@code pay.lua} ({@code P}) and
 * {@code sweep.lua} ({@code E}), only for a sale opened with the hand-off on:
 * <table>
 * <caption>Fields of an order's entry</caption>
 * <tr><th>field</th><th>value</th></tr>
 * <tr><td>{@code s}</td><td>the status's letter: {@code R}, {@code P} or {@code E}</td></tr>
 * <tr><td>{@code o}</td><td>the order id</td></tr>
 * <tr><td>{@code u}</td><td>the user id as the buyer typed it</td></tr>
 * <tr><td>{@code x}</td><td>the end of the hold, epoch milliseconds by Redis's clock</td></tr>
 * <tr><td>{@code g}</td><td>the generation of the sale the order belongs to</td></tr>
 * <tr><td>{@code t}</td><td>when the change happened, epoch milliseconds by Redis's clock</td></tr>
 * </table>
 *
 * <p>A reset of the sale, written by {@code open.lua} whenever a sale is opened or reset: rows of older
 * generations are dropped from the database after it.
 * <table>
 * <caption>Fields of a reset entry</caption>
 * <tr><th>field</th><th>value</th></tr>
 * <tr><td>{@code s}</td><td>{@code Z}</td></tr>
 * <tr><td>{@code g}</td><td>the new sale's generation</td></tr>
 * <tr><td>{@code n}</td><td>its tickets</td></tr>
 * <tr><td>{@code h}</td><td>its hold time in milliseconds</td></tr>
 * <tr><td>{@code d}</td><td>{@code 1} when its orders are handed off to the database, {@code 0} when not</td></tr>
 * <tr><td>{@code qo}, {@code qr}, {@code qw}, {@code qb}, {@code qp}</td><td>only for a sale with a waiting
 * room: its {@code opensAt} (epoch ms), admissions per second, admission window (ms), overbook factor and the proof
 * of work a join costs ({@code qp}, 0 for none; absent in entries written before it existed)</td></tr>
 * </table>
 * {@link #sale} holds the settings: null when the sale keeps its orders out of the database (it cannot be
 * restored from there) or the entry carries no {@code h}.
 */
record HandoffRecord(
        StreamEntryID id,
        String eventId,
        char kind,
        String orderId,
        String userId,
        long expiresAt,
        long gen,
        long at,
        SaleRecord sale) {

    static final char RESET = 'Z';

    /** A sale's tickets and hold time, and its waiting room's settings (null without one), as opened. */
    record SaleRecord(long tickets, long holdMillis, QueueSettings queue) {}

    static HandoffRecord of(String eventId, StreamEntryID id, Map<String, String> fields) {
        char kind = fields.get("s").charAt(0);
        long gen = Long.parseLong(fields.get("g"));
        if (kind == RESET) {
            SaleRecord sale = "1".equals(fields.get("d")) && fields.get("h") != null
                    ? new SaleRecord(Long.parseLong(fields.get("n")), Long.parseLong(fields.get("h")), queue(fields))
                    : null;
            return new HandoffRecord(id, eventId, kind, null, null, 0, gen, 0, sale);
        }
        return new HandoffRecord(
                id,
                eventId,
                kind,
                fields.get("o"),
                fields.get("u"),
                Long.parseLong(fields.get("x")),
                gen,
                Long.parseLong(fields.get("t")),
                null);
    }

    private static QueueSettings queue(Map<String, String> fields) {
        if (fields.get("qo") == null) {
            return null;
        }
        return new QueueSettings(
                Long.parseLong(fields.get("qo")),
                Long.parseLong(fields.get("qr")),
                Long.parseLong(fields.get("qw")) / 1000,
                Double.parseDouble(fields.get("qb")),
                fields.get("qp") == null ? 0 : Long.parseLong(fields.get("qp")));
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
