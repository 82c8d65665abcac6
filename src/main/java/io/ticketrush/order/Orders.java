package io.ticketrush.order;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.ticketrush.archive.OrderArchive;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

/** Orders after the purchase: looking one up, paying it, expiring the unpaid ones. */
@ApplicationScoped
public class Orders {

    /** Most orders one sweep call expires, so a backlog never blocks Redis for long. */
    static final int SWEEP_BATCH = 1000;

    private static final LuaScript FIND = LuaScript.load("order");
    private static final LuaScript PAY = LuaScript.load("pay");
    private static final LuaScript SWEEP = LuaScript.load("sweep");

    @Inject
    RedisClient redis;

    @Inject
    OrderArchive archive;

    /**
     * From Redis while the sale's keys live, else from PostgreSQL (read through) unless it belongs to an
     * earlier generation of the sale than Redis's: a reset's deletion may not have reached the database yet.
     */
    public Optional<Order> find(String orderId) {
        String eventId = Order.eventIdOf(orderId);
        if (eventId == null) {
            return Optional.empty();
        }
        EventKeys keys = EventKeys.of(eventId);
        List<?> reply = (List<?>) redis.eval(FIND, List.of(keys.orders(), keys.stock()), List.of(orderId));
        if (code(reply) == 1) {
            return Optional.of(Order.fromReply(reply));
        }
        return archive.find(orderId, (Long) reply.get(1));
    }

    /** Pays a RESERVED order; an empty answer means there is no such order. */
    public Optional<Payment> pay(String orderId) {
        String eventId = Order.eventIdOf(orderId);
        if (eventId == null) {
            return Optional.empty();
        }
        EventKeys keys = EventKeys.of(eventId);
        List<?> reply = (List<?>) redis.evalReplicated(PAY, List.of(keys.stock(), keys.orders(), keys.expiry(), keys.stream()), List.of(orderId));
        return switch (code(reply)) {
            case 1 -> Optional.of(new Payment(true, Order.fromReply(reply)));
            case -409 -> Optional.of(new Payment(false, Order.fromReply(reply)));
            case -404 -> Optional.empty();
            default -> throw new IllegalStateException("pay.lua answered " + reply);
        };
    }

    /**
     * Expires every overdue reservation of every event; returns how many tickets went back on sale. One round trip
     * sweeps every event; an event with more overdue than one call takes is swept again until it is done.
     */
    public long expireDue() {
        List<String> events = List.copyOf(redis.call(r -> r.smembers(EventKeys.EVENTS)));
        List<RedisClient.ScriptCall> sweeps = new ArrayList<>(events.size());
        for (String eventId : events) {
            sweeps.add(sweep(eventId));
        }
        long returned = 0;
        List<Object> expired = redis.evalEach(sweeps);
        for (int i = 0; i < events.size(); i++) {
            long count = (Long) expired.get(i);
            returned += count;
            while (count == SWEEP_BATCH) {
                count = (Long) redis.evalEach(List.of(sweeps.get(i))).get(0);
                returned += count;
            }
        }
        return returned;
    }

    private static RedisClient.ScriptCall sweep(String eventId) {
        return new RedisClient.ScriptCall(SWEEP, EventKeys.of(eventId).all(), List.of(Integer.toString(SWEEP_BATCH)));
    }

    private static int code(List<?> reply) {
        return ((Long) reply.get(0)).intValue();
    }

    /** The answer to a payment: {@code paid} is false when the hold had already expired. */
    public record Payment(boolean paid, Order order) {
    }
}
