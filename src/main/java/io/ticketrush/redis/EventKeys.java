package io.ticketrush.redis;

import java.util.List;

/**
 * The Redis keys of one event. They share the hash tag {@code {eventId}}, so every script touches one slot and
 * runs unchanged on Redis Cluster. Event ids cannot contain braces, so the tag is always the whole id.
 */
public record EventKeys(String stock, String buyers, String orders, String expiry, String stream) {

    /** The set of every event ever opened, which the sweepers walk. Outside any event's slot on purpose. */
    public static final String EVENTS = "tr:events";

    public static EventKeys of(String eventId) {
        String prefix = prefix(eventId);
        return new EventKeys(
                prefix + "stock", prefix + "buyers", prefix + "orders", prefix + "expiry", prefix + "stream");
    }

    /** {@code tr:{eventId}:}, the start of every key of the event, its waiting room's included. */
    public static String prefix(String eventId) {
        return "tr:{" + eventId + "}:";
    }

    /** The five keys in the order the scripts expect them: stock, buyers, orders, expiry, stream. */
    public List<String> all() {
        return List.of(stock, buyers, orders, expiry, stream);
    }
}
