package io.ticketrush.stock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.model.BuyerKey;
import io.ticketrush.order.Order;
import io.ticketrush.order.OrderStatus;
import io.ticketrush.queue.QueueKeys;
import io.ticketrush.queue.QueueTokens;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.LuaScript;
import io.ticketrush.redis.RedisClient;

import redis.clients.jedis.Response;

/** The unified stock in Redis, the single authority on how many tickets are left. */
@ApplicationScoped
public class GlobalStock {

    private static final LuaScript RESERVE = LuaScript.load("reserve");
    private static final LuaScript OPEN = LuaScript.load("open");
    private static final LuaScript RESTORE = LuaScript.load("restore");
    private static final LuaScript HELD = LuaScript.load("held");
    private static final LuaScript EDGE_WAIT = LuaScript.load("edge-wait");
    private static final LuaScript DELETE = LuaScript.load("delete");
    /**
     * No waiting room: open.lua's ARGV[4..9] when a request id follows them, restore.lua's ARGV[5..10] always (the
     * orders follow them).
     */
    private static final List<String> NO_QUEUE = List.of("", "", "", "", "", "", "");

    @Inject
    RedisClient redis;

    private EventSet events;

    @PostConstruct
    void init() {
        events = new EventSet(redis, EventKeys.EVENTS);
    }

    private static final String[] STATUS_FIELDS = {"tickets", "reserved", "paid", "gen"};

    /** The event's stock now, or null when it was never opened. */
    public EventStatus status(String eventId) {
        return status(eventId, redis.call(r -> r.hmget(EventKeys.of(eventId).stock(), STATUS_FIELDS)));
    }

    /** The stock of each event now, in one round trip; an event never opened is missing from the answer. */
    public Map<String, EventStatus> statuses(Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return Map.of();
        }
        return redis.pipelined(pipeline -> {
            Map<String, Response<List<String>>> replies = new LinkedHashMap<>();
            eventIds.forEach(eventId -> replies.put(eventId, pipeline.hmget(EventKeys.of(eventId).stock(), STATUS_FIELDS)));
            return () -> {
                Map<String, EventStatus> statuses = new LinkedHashMap<>();
                replies.forEach((eventId, reply) -> {
                    EventStatus status = status(eventId, reply.get());
                    if (status != null) {
                        statuses.put(eventId, status);
                    }
                });
                return statuses;
            };
        });
    }

    private static EventStatus status(String eventId, List<String> fields) {
        if (fields.get(0) == null) {
            return null;
        }
        return new EventStatus(eventId, Long.parseLong(fields.get(0)), Long.parseLong(fields.get(1)),
                Long.parseLong(fields.get(2)), Long.parseLong(fields.get(3)));
    }

    /**
     * One round trip: checks the event, the buyer and the stock, and records the order, atomically. The reservation
     * completes the future once Redis has replied (see {@link RedisClient#evalReplicatedAsync}).
     */
    public CompletableFuture<Reservation> reserve(String eventId, EventKeys keys, String userId, String orderSuffix) {
        return reserve(eventId, keys, userId, orderSuffix, false);
    }

    /**
     * As {@link #reserve(String, EventKeys, String, String)}; with {@code shared}, a sold-out answer will be given by
     * nginx to every buyer of the sale until the end of the second Redis gave it in: the reservation says through
     * when ({@link Reservation#sharedThrough()}), and Redis records it for a reset to wait out ({@link #edgeWait}).
     */
    public CompletableFuture<Reservation> reserve(String eventId, EventKeys keys, String userId, String orderSuffix,
            boolean shared) {
        return reserve(eventId, keys.all(), List.of(eventId, BuyerKey.of(userId), userId, orderSuffix, shared ? "1" : ""),
                shared);
    }

    /**
     * As {@link #reserve(String, EventKeys, String, String)}, for a sale with a waiting room: the admission (its
     * sale generation, place and position, already checked as genuine and the buyer's) is checked against Redis
     * and used up by the same script.
     */
    public CompletableFuture<Reservation> reserve(String eventId, EventKeys keys, String userId, String orderSuffix,
            QueueTokens.Admission admission) {
        QueueKeys queue = QueueKeys.of(eventId);
        List<String> allKeys = new ArrayList<>(keys.all());
        allKeys.addAll(List.of(queue.queue(), queue.admits(), queue.admitInfo(), queue.used()));
        return reserve(eventId, allKeys, List.of(eventId, BuyerKey.of(userId), userId, orderSuffix, "",
                Long.toString(admission.gen()), Long.toString(admission.place()), Long.toString(admission.position())),
                false);
    }

    private CompletableFuture<Reservation> reserve(String eventId, List<String> keys, List<String> args,
            boolean shared) {
        return redis.evalReplicatedAsync(RESERVE, keys, args).thenApply(answer -> {
            List<?> reply = (List<?>) answer;
            int code = ((Long) reply.get(0)).intValue();
            return switch (code) {
                case 1 -> new Reservation(Reservation.Outcome.RESERVED, Order.fromReply(reply));
                case -1 -> shared ? Reservation.soldOutAt((Long) reply.get(1)) : Reservation.SOLD_OUT;
                case -2 -> new Reservation(Reservation.Outcome.ALREADY_HELD, Order.fromReply(reply));
                case -403 -> new Reservation(Reservation.Outcome.NOT_ADMITTED, null, refusal((String) reply.get(1)));
                case -404 -> Reservation.NO_SUCH_EVENT;
                case -410 -> Reservation.DELETED;
                default -> throw new IllegalStateException("reserve.lua answered " + reply + " for " + eventId);
            };
        });
    }

    private static String refusal(String why) {
        return switch (why) {
            case "required" -> "an admission is required: this sale has a waiting room";
            case "earlier sale" -> "the admission is of an earlier sale: the sale was reset since";
            case "used" -> "the admission was already used";
            case "lapsed" -> "the admission lapsed: its window has passed";
            default -> "the admission was refused: " + why;
        };
    }

    /**
     * The order {@code userId} already holds ({@code ALREADY_HELD}), or {@code SOLD_OUT} when they hold none: a
     * read, never a reservation. For a retried purchase that meets a used-up local share.
     */
    public CompletableFuture<Reservation> held(EventKeys keys, String userId) {
        return redis.evalReplicatedAsync(HELD, List.of(keys.stock(), keys.buyers(), keys.orders()),
                List.of(BuyerKey.of(userId))).thenApply(answer -> {
                    List<?> reply = (List<?>) answer;
                    int code = ((Long) reply.get(0)).intValue();
                    return switch (code) {
                        case -1 -> Reservation.SOLD_OUT;
                        case -2 -> new Reservation(Reservation.Outcome.ALREADY_HELD, Order.fromReply(reply));
                        case -404 -> Reservation.NO_SUCH_EVENT;
                        case -410 -> Reservation.DELETED;
                        default -> throw new IllegalStateException("held.lua answered " + reply);
                    };
                });
    }

    /**
     * Opens the sale, or resets it to a fresh one; every order of the event is discarded. With {@code handoff}
     * false its orders stay in Redis and never reach PostgreSQL (for measuring what the hand-off costs).
     */
    public EventStatus open(String eventId, long tickets, long holdMillis, boolean handoff) {
        return open(eventId, tickets, holdMillis, handoff, List.of(), null).status();
    }

    /** What came of an opening: {@code status} is the sale now (null when it was deleted since a repeat's opening). */
    public record Opening(Outcome outcome, EventStatus status) {

        public enum Outcome {
            OPENED,
            /** The request id opened the sale before: nothing was done. */
            REPEATED,
            /** The request id was used for another request: nothing was done. */
            ID_REUSED
        }
    }

    /**
     * As {@link #open(String, long, long, boolean)}; any waiting room the sale had is discarded, and with
     * {@code queue} (open.lua's ARGV[4..10], from {@code WaitingRoom.openArguments}) a new one is set up. With a
     * {@code request} id it is done once for that id. The sale joins {@value EventKeys#EVENTS} before the script and
     * again after it (see {@link EventSet}).
     */
    public Opening open(String eventId, long tickets, long holdMillis, boolean handoff, List<String> queue,
            RequestId request) {
        EventKeys keys = EventKeys.of(eventId);
        List<String> allKeys = new ArrayList<>(keys.all());
        allKeys.addAll(QueueKeys.of(eventId).all());
        List<String> args = new ArrayList<>(List.of(Long.toString(tickets), Long.toString(holdMillis),
                handoff ? "1" : "0"));
        args.addAll(queue);
        if (request != null) {
            allKeys.add(request.markerKey(eventId));
            if (queue.isEmpty()) {
                args.addAll(NO_QUEUE);
            }
            args.addAll(List.of(request.fingerprint(), Long.toString(RequestId.KEEP_MILLIS)));
        }
        events.add(eventId);
        List<?> reply = (List<?>) redis.evalReplicated(OPEN, allKeys, args);
        events.add(eventId);
        return switch (((Long) reply.get(0)).intValue()) {
            case 1 -> new Opening(Opening.Outcome.OPENED, new EventStatus(eventId, tickets, 0, 0, (Long) reply.get(1)));
            case 2 -> new Opening(Opening.Outcome.REPEATED, status(eventId));
            case -422 -> new Opening(Opening.Outcome.ID_REUSED, null);
            default -> throw new IllegalStateException("open.lua answered " + reply + " for " + eventId);
        };
    }

    /** What came of a deletion: the sale's counts when it was deleted, or how many entries the hand-off lags by. */
    public record Deletion(Outcome outcome, long tickets, long reserved, long paid, long unhanded) {

        public enum Outcome {
            DELETED,
            /** The request id deleted the sale before: nothing was done; the counts are those it had then. */
            REPEATED,
            NO_SUCH_EVENT,
            /** Entries of its stream are not in PostgreSQL yet ({@code unhanded}): deleting would lose them. */
            HANDOFF_LAGS,
            ID_REUSED
        }

        public long available() {
            return Math.max(0, tickets - reserved - paid);
        }
    }

    /**
     * Deletes the sale once every entry of its hand-off stream is in PostgreSQL: every key of it goes, its waiting
     * room's too, and its stock hash becomes a tombstone keeping its generation and order sequence (delete.lua). With
     * a {@code request} id it is done once for that id.
     */
    public Deletion delete(String eventId, RequestId request) {
        List<String> allKeys = new ArrayList<>(EventKeys.of(eventId).all());
        allKeys.addAll(QueueKeys.of(eventId).all());
        List<String> args = new ArrayList<>(List.of(OrderHandoff.GROUP));
        if (request != null) {
            allKeys.add(request.markerKey(eventId));
            args.addAll(List.of(request.fingerprint(), Long.toString(RequestId.KEEP_MILLIS)));
        }
        List<?> reply = (List<?>) redis.evalReplicated(DELETE, allKeys, args);
        int code = ((Long) reply.get(0)).intValue();
        return switch (code) {
            case 1, 2 -> new Deletion(code == 1 ? Deletion.Outcome.DELETED : Deletion.Outcome.REPEATED,
                    (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3), 0);
            case -404 -> new Deletion(Deletion.Outcome.NO_SUCH_EVENT, 0, 0, 0, 0);
            case -409 -> new Deletion(Deletion.Outcome.HANDOFF_LAGS, 0, 0, 0, (Long) reply.get(1));
            case -422 -> new Deletion(Deletion.Outcome.ID_REUSED, 0, 0, 0, 0);
            default -> throw new IllegalStateException("delete.lua answered " + reply + " for " + eventId);
        };
    }

    /** Those of {@code eventIds} that were deleted (their tombstone is in Redis), in one round trip. */
    public Set<String> deleted(Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return Set.of();
        }
        return redis.pipelined(pipeline -> {
            Map<String, Response<Boolean>> replies = new LinkedHashMap<>();
            eventIds.forEach(eventId -> replies.put(eventId, pipeline.hexists(EventKeys.of(eventId).stock(), "deleted")));
            return () -> {
                Set<String> deleted = new TreeSet<>();
                replies.forEach((eventId, reply) -> {
                    if (reply.get()) {
                        deleted.add(eventId);
                    }
                });
                return deleted;
            };
        });
    }

    /** What came of a restore: the sale now, and its waiting room's new generation (0 without one). */
    public record Restoring(Outcome outcome, EventStatus status, long queueGen) {

        public enum Outcome {
            RESTORED,
            /** Redis has the sale: restoring is never a way to change one on sale. */
            ON_SALE,
            /** The sale was deleted: deleting is not losing, and is not undone by a restore. */
            DELETED
        }
    }

    /**
     * Puts back a sale Redis has lost, as the database holds it: same generation (so instances keep their shares
     * and the hand-off goes on), its settings, and every order still standing with its buyer. A sale that had a
     * waiting room gets it back with its settings, as a new waiting room ({@code queue}: restore.lua's ARGV[5..11],
     * from {@code WaitingRoom.openArguments}; empty without one).
     */
    public Restoring restore(ArchivedSale sale, List<String> queue) {
        EventKeys keys = EventKeys.of(sale.eventId());
        List<String> allKeys = new ArrayList<>(keys.all());
        allKeys.addAll(QueueKeys.of(sale.eventId()).all());
        List<String> args = new ArrayList<>(11 + 5 * sale.orders().size());
        long sequence = 0;
        for (Order order : sale.orders()) {
            sequence = Math.max(sequence, Order.sequenceOf(order.orderId()));
            args.add(order.orderId());
            args.add(order.status() == OrderStatus.PAID ? "P" : "R");
            args.add(Long.toString(order.expiresAt()));
            args.add(BuyerKey.of(order.userId()));
            args.add(order.userId());
        }
        List<String> head = new ArrayList<>(List.of(Long.toString(sale.tickets()), Long.toString(sale.holdMillis()),
                Long.toString(sale.gen()), Long.toString(sequence)));
        head.addAll(queue.isEmpty() ? NO_QUEUE : queue);
        args.addAll(0, head);
        events.add(sale.eventId());
        List<?> reply = (List<?>) redis.evalReplicated(RESTORE, allKeys, args);
        events.add(sale.eventId());
        long code = (Long) reply.get(0);
        if (code == -409) {
            return new Restoring(Restoring.Outcome.ON_SALE, null, 0);
        }
        if (code == -410) {
            return new Restoring(Restoring.Outcome.DELETED, null, 0);
        }
        return new Restoring(Restoring.Outcome.RESTORED, new EventStatus(sale.eventId(), sale.tickets(),
                (Long) reply.get(0), (Long) reply.get(1), sale.gen()), (Long) reply.get(2));
    }

    /**
     * Milliseconds until every sold-out answer of the event that nginx may be sharing has expired there (0 when
     * none may be), by Redis's clock: a reset answers only after, so no buyer of the new sale is told the old one
     * is sold out.
     */
    public long edgeWait(String eventId) {
        return (Long) redis.eval(EDGE_WAIT, List.of(EventKeys.of(eventId).stock()), List.of());
    }
}
