package io.ticketrush.order;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.ticketrush.archive.OrderArchive;
import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.model.Order;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

/** Orders after the purchase: looking one up, paying it, expiring the unpaid ones. */
@ApplicationScoped
public class Orders {

    /** Most orders one sweep call expires, so a backlog never blocks Redis for long. */
    static final int SWEEP_BATCH = 1000;
    /** The longest an event goes unswept, whatever sweep.lua said of it. */
    static final long MOST_IDLE_MILLIS = 5_000;

    private static final LuaScript FIND = LuaScript.load("order");
    private static final LuaScript PAY = LuaScript.load("pay");
    private static final LuaScript SWEEP = LuaScript.load("sweep");

    @Inject
    RedisClient redis;

    @Inject
    OrderArchive archive;

    /** When each event is next due for a sweep ({@code nanoTime}); an event not in it is due now. */
    private final Map<String, Long> nextSweep = new ConcurrentHashMap<>();
    private EventSet events;

    @PostConstruct
    void init() {
        events = new EventSet(redis, EventKeys.EVENTS);
    }

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
     * sweeps every event due; an event with more overdue than one call takes is swept again until it is done. An
     * event is due when a reservation of it may have run out: sweep.lua says when that is next (its earliest hold,
     * or a whole hold time from now when it has none), and it is left alone until then, or
     * {@value #MOST_IDLE_MILLIS} ms at most (a sale reset elsewhere to a shorter hold). A sale that sweep.lua finds
     * finished (over: every ticket paid and handed off; or gone from Redis) leaves {@value EventKeys#EVENTS}, so no
     * instance walks it any more, here or in the hand-off.
     */
    public long expireDue() {
        long now = System.nanoTime();
        List<String> due = new ArrayList<>();
        Set<String> walked = events.members();
        nextSweep.keySet().retainAll(walked);
        for (String eventId : walked) {
            Long next = nextSweep.get(eventId);
            if (next == null || now - next >= 0) {
                due.add(eventId);
            }
        }
        List<RedisClient.ScriptCall> sweeps = new ArrayList<>(due.size());
        for (String eventId : due) {
            sweeps.add(sweep(eventId));
        }
        long returned = 0;
        List<String> finished = new ArrayList<>();
        List<Object> replies = redis.evalEach(sweeps);
        for (int i = 0; i < due.size(); i++) {
            List<?> reply = (List<?>) replies.get(i);
            long count = (Long) reply.get(0);
            returned += count;
            while (count == SWEEP_BATCH) {
                reply = (List<?>) redis.evalEach(List.of(sweeps.get(i))).get(0);
                count = (Long) reply.get(0);
                returned += count;
            }
            long untilNext = (Long) reply.get(1);
            long idle = untilNext < 0 ? MOST_IDLE_MILLIS : Math.min(untilNext, MOST_IDLE_MILLIS);
            nextSweep.put(due.get(i), now + TimeUnit.MILLISECONDS.toNanos(idle));
            if (finished(reply)) {
                finished.add(due.get(i));
            }
        }
        finished.forEach(this::retire);
        return returned;
    }

    /**
     * Takes a finished sale out of {@value EventKeys#EVENTS} (asking sweep.lua again after, as {@link EventSet#retire}
     * requires): deleted, over, or lost. Opening it again puts it back.
     */
    public void retire(String eventId) {
        events.retire(eventId, () -> finished((List<?>) redis.evalEach(List.of(sweep(eventId))).get(0)));
        nextSweep.remove(eventId);
    }

    private static boolean finished(List<?> sweepReply) {
        return (Long) sweepReply.get(2) != 0;
    }

    /** The event's sale was opened, reset or restored here: sweep it again at the next sweep. */
    public void sweepSoon(String eventId) {
        nextSweep.remove(eventId);
    }

    private static RedisClient.ScriptCall sweep(String eventId) {
        return new RedisClient.ScriptCall(SWEEP, EventKeys.of(eventId).all(),
                List.of(Integer.toString(SWEEP_BATCH), OrderHandoff.GROUP));
    }

    private static int code(List<?> reply) {
        return ((Long) reply.get(0)).intValue();
    }

    /** The answer to a payment: {@code paid} is false when the hold had already expired. */
    public record Payment(boolean paid, Order order) {
    }
}
