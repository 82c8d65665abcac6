package io.ticketrush.stock;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.ticketrush.order.Order;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

/** The unified stock in Redis, the single authority on how many tickets are left. */
@ApplicationScoped
public class GlobalStock {

    private static final LuaScript RESERVE = LuaScript.load("reserve");
    private static final LuaScript OPEN = LuaScript.load("open");

    @Inject
    RedisClient redis;

    /** The event's stock now, or null when it was never opened. */
    public EventStatus status(String eventId) {
        List<String> fields = redis.call(r -> r.hmget(EventKeys.of(eventId).stock(), "tickets", "reserved", "paid", "gen"));
        if (fields.get(0) == null) {
            return null;
        }
        return new EventStatus(eventId, Long.parseLong(fields.get(0)), Long.parseLong(fields.get(1)),
                Long.parseLong(fields.get(2)), Long.parseLong(fields.get(3)));
    }

    /** One round trip: checks the event, the buyer and the stock, and records the order, atomically. */
    public Reservation reserve(String eventId, EventKeys keys, String userId, String orderSuffix) {
        List<?> reply = (List<?>) redis.evalReplicated(RESERVE, keys.all(),
                List.of(eventId, buyerKey(userId), userId, orderSuffix));
        int code = ((Long) reply.get(0)).intValue();
        return switch (code) {
            case 1 -> new Reservation(Reservation.Outcome.RESERVED, Order.fromReply(reply));
            case -1 -> Reservation.SOLD_OUT;
            case -2 -> new Reservation(Reservation.Outcome.ALREADY_HELD, Order.fromReply(reply));
            case -404 -> Reservation.NO_SUCH_EVENT;
            default -> throw new IllegalStateException("reserve.lua answered " + reply);
        };
    }

    /**
     * Opens the sale, or resets it to a fresh one; every order of the event is discarded. With {@code handoff}
     * false its orders stay in Redis and never reach PostgreSQL (for measuring what the hand-off costs).
     */
    public EventStatus open(String eventId, long tickets, long holdMillis, boolean handoff) {
        EventKeys keys = EventKeys.of(eventId);
        redis.call(r -> r.sadd(EventKeys.EVENTS, eventId));
        long gen = (Long) redis.evalReplicated(OPEN, keys.all(),
                List.of(Long.toString(tickets), Long.toString(holdMillis), handoff ? "1" : "0"));
        return new EventStatus(eventId, tickets, 0, 0, gen);
    }

    /** Buyers are one person whatever the case of their id: {@code Alice} and {@code alice} hold one ticket. */
    public static String buyerKey(String userId) {
        return userId.toLowerCase(Locale.ROOT);
    }
}
