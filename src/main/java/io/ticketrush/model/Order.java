package io.ticketrush.model;

import java.util.function.IntPredicate;

/**
 * One buyer's ticket for one event. The order id is {@code <eventId>-<sequence>-<suffix>}, so it names its
 * event and any instance can find it without an index.
 */
public record Order(String orderId, String eventId, String userId, OrderStatus status, long expiresAt) {

    /**
     * Reads the stored form {@code status|expiresAt|userId}. A RESERVED order whose deadline has passed is
     * reported EXPIRED even if the sweeper has not reached it yet, judged by Redis's clock {@code nowMs}.
     */
    public static Order fromRecord(String orderId, String record, long nowMs) {
        int first = record.indexOf('|');
        int second = record.indexOf('|', first + 1);
        OrderStatus status = OrderStatus.ofLetter(record.charAt(0));
        long expiresAt = Long.parseLong(record, first + 1, second, 10);
        if (status == OrderStatus.RESERVED && expiresAt <= nowMs) {
            status = OrderStatus.EXPIRED;
        }
        return new Order(orderId, eventIdOf(orderId), record.substring(second + 1), status, expiresAt);
    }

    /** The event part of an order id, or null when the id cannot be one of ours. */
    public static String eventIdOf(String orderId) {
        int suffix = orderId.lastIndexOf('-');
        int sequence = suffix > 0 ? orderId.lastIndexOf('-', suffix - 1) : -1;
        if (sequence <= 0
                || !all(orderId, sequence + 1, suffix, c -> c >= '0' && c <= '9')
                || !all(orderId, suffix + 1, orderId.length(), c -> Character.isLetterOrDigit(c) && c < 128)) {
            return null;
        }
        String eventId = orderId.substring(0, sequence);
        return Ids.isValid(eventId) ? eventId : null;
    }

    /** The sequence part of an order id this service made ({@link #eventIdOf} not null). */
    public static long sequenceOf(String orderId) {
        int suffix = orderId.lastIndexOf('-');
        return Long.parseLong(orderId, orderId.lastIndexOf('-', suffix - 1) + 1, suffix, 10);
    }

    private static boolean all(String text, int from, int to, IntPredicate test) {
        return from < to && text.substring(from, to).chars().allMatch(test);
    }
}
