package io.ticketrush.order;

import io.ticketrush.archive.OrderArchive;
import io.ticketrush.model.Order;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.RedisClient;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Orders after the purchase: looking one up, paying it, expiring the unpaid ones. */
@ApplicationScoped
public class Orders {

    /** Most orders one sweep call expires, so a backlog never blocks Redis for long. */
    static final int SWEEP_BATCH = 1000;
    /** The longest an event goes unswept, whatever sweep.lua said of it. */
    static final long MOST_IDLE_MILLIS = 5_000;

    @Inject
    RedisClient redis;

    @Inject
    OrderArchive archive;

    /** When each event is next due for a sweep ({@code nanoTime}); an event not in it is due now. */
    private final Map<String, Long> nextSweep = new ConcurrentHashMap<>();

    private EventSet events;
    private OrderScript orderScript;
    private PayScript payScript;
    private SweepScript sweepScript;

    @PostConstruct
    void init() {
        events = new EventSet(redis, EventKeys.EVENTS);
        orderScript = new OrderScript(redis);
        payScript = new PayScript(redis);
        sweepScript = new SweepScript(redis);
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
        OrderScript.Lookup lookup = orderScript.find(orderId, eventId);
        if (lookup.order() != null) {
            return Optional.of(lookup.order());
        }
        return archive.find(orderId, lookup.saleGen());
    }

    /** Pays a RESERVED order; an empty answer means there is no such order. */
    public Optional<Payment> pay(String orderId) {
        String eventId = Order.eventIdOf(orderId);
        if (eventId == null) {
            return Optional.empty();
        }
        Payment payment = payScript.pay(orderId, eventId);
        return payment.outcome() == Payment.Outcome.NO_SUCH_ORDER ? Optional.empty() : Optional.of(payment);
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
        long returned = 0;
        List<String> finished = new ArrayList<>();
        List<SweepScript.Sweep> sweeps = sweepScript.sweepAll(due, SWEEP_BATCH);
        for (int i = 0; i < due.size(); i++) {
            SweepScript.Sweep sweep = sweeps.get(i);
            returned += sweep.expired();
            while (sweep.expired() == SWEEP_BATCH) {
                sweep = sweepScript.sweep(due.get(i), SWEEP_BATCH);
                returned += sweep.expired();
            }
            long untilNext = sweep.untilNextMillis();
            long idle = untilNext < 0 ? MOST_IDLE_MILLIS : Math.min(untilNext, MOST_IDLE_MILLIS);
            nextSweep.put(due.get(i), now + TimeUnit.MILLISECONDS.toNanos(idle));
            if (sweep.finished()) {
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
        events.retire(eventId, () -> sweepScript.sweep(eventId, SWEEP_BATCH).finished());
        nextSweep.remove(eventId);
    }

    /** The event's sale was opened, reset or restored here: sweep it again at the next sweep. */
    public void sweepSoon(String eventId) {
        nextSweep.remove(eventId);
    }

    /** The answer to a payment, with the order as it stands after it ({@code null} when there is no such order). */
    public record Payment(Outcome outcome, Order order) {

        public enum Outcome {
            /** Paid, now or by an earlier call: paying twice is not an error. */
            PAID,
            /** The hold had run out; the sweeper returns (or returned) its ticket. */
            HOLD_EXPIRED,
            NO_SUCH_ORDER
        }

        public boolean paid() {
            return outcome == Outcome.PAID;
        }
    }
}
