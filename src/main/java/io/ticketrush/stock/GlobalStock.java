package io.ticketrush.stock;

import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.model.BuyerKey;
import io.ticketrush.redis.EventKeys;
import io.ticketrush.redis.EventSet;
import io.ticketrush.redis.RedisClient;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import redis.clients.jedis.Response;

/** The unified stock in Redis, the single authority on how many tickets are left. */
@ApplicationScoped
public class GlobalStock {

    @Inject
    RedisClient redis;

    private EventSet events;
    private ReserveScript reserveScript;
    private HeldScript heldScript;
    private DeleteScript deleteScript;

    @PostConstruct
    void init() {
        events = new EventSet(redis, EventKeys.EVENTS);
        reserveScript = new ReserveScript(redis);
        heldScript = new HeldScript(redis);
        deleteScript = new DeleteScript(redis);
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
            eventIds.forEach(eventId ->
                    replies.put(eventId, pipeline.hmget(EventKeys.of(eventId).stock(), STATUS_FIELDS)));
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
        return new EventStatus(
                eventId,
                Long.parseLong(fields.get(0)),
                Long.parseLong(fields.get(1)),
                Long.parseLong(fields.get(2)),
                Long.parseLong(fields.get(3)));
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
    public CompletableFuture<Reservation> reserve(
            String eventId, EventKeys keys, String userId, String orderSuffix, boolean shared) {
        return reserveScript.reserve(eventId, keys, BuyerKey.of(userId), userId, orderSuffix, shared);
    }

    /**
     * As {@link #reserve(String, EventKeys, String, String)}, for a sale with a waiting room: the admission (its
     * sale generation, place and position, already checked as genuine and the buyer's) is checked against Redis
     * and used up by the same script.
     */
    public CompletableFuture<Reservation> reserve(
            String eventId, EventKeys keys, String userId, String orderSuffix, Admission admission) {
        return reserveScript.reserveAdmitted(
                eventId,
                keys,
                BuyerKey.of(userId),
                userId,
                orderSuffix,
                admission.gen(),
                admission.place(),
                admission.position());
    }

    /** The admission a reservation uses up: the sale generation, place and position in the draw it was given for. */
    public record Admission(long gen, long place, long position) {}

    /**
     * The order {@code userId} already holds ({@code ALREADY_HELD}), or {@code SOLD_OUT} when they hold none: a
     * read, never a reservation. For a retried purchase that meets a used-up local share.
     */
    public CompletableFuture<Reservation> held(EventKeys keys, String userId) {
        return heldScript.held(keys, BuyerKey.of(userId));
    }

    /**
     * Opens the sale, or resets it to a fresh one; every order of the event is discarded. With {@code handoff}
     * false its orders stay in Redis and never reach PostgreSQL (for measuring what the hand-off costs).
     */
    public EventStatus open(String eventId, long tickets, long holdMillis, boolean handoff) {
        return open(eventId, tickets, holdMillis, handoff, null, null).status();
    }

    /** What came of an opening: {@code status} is the sale now (null when it was deleted since a repeat's opening). */
    public record Opening(OpenScript.Outcome outcome, EventStatus status) {}

    /**
     * As {@link #open(String, long, long, boolean)}; any waiting room the sale had is discarded, and with
     * {@code queue} (null: none) a new one is set up. With a {@code request} id it is done once for that id. The sale
     * joins {@value EventKeys#EVENTS} before the script and again after it (see {@link EventSet}).
     */
    public Opening open(
            String eventId,
            long tickets,
            long holdMillis,
            boolean handoff,
            OpenScript.QueueSetup queue,
            RequestId request) {
        events.add(eventId);
        OpenScript.Reply reply = OpenScript.run(redis, eventId, tickets, holdMillis, handoff, queue, request);
        events.add(eventId);
        return switch (reply.outcome()) {
            case OPENED -> new Opening(reply.outcome(), new EventStatus(eventId, tickets, 0, 0, reply.gen()));
            case REPEATED -> new Opening(reply.outcome(), status(eventId));
            case ID_REUSED -> new Opening(reply.outcome(), null);
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
        return deleteScript.delete(eventId, request);
    }

    /** Those of {@code eventIds} that were deleted (their tombstone is in Redis), in one round trip. */
    public Set<String> deleted(Collection<String> eventIds) {
        if (eventIds.isEmpty()) {
            return Set.of();
        }
        return redis.pipelined(pipeline -> {
            Map<String, Response<Boolean>> replies = new LinkedHashMap<>();
            eventIds.forEach(eventId ->
                    replies.put(eventId, pipeline.hexists(EventKeys.of(eventId).stock(), "deleted")));
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
    public record Restoring(RestoreScript.Outcome outcome, EventStatus status, long queueGen) {}

    /**
     * Puts back a sale Redis has lost, as the database holds it: same generation (so instances keep their shares
     * and the hand-off goes on), its settings, and every order still standing with its buyer. A sale that had a
     * waiting room gets it back with its settings, as a new waiting room ({@code queue}; null without one).
     */
    public Restoring restore(ArchivedSale sale, OpenScript.QueueSetup queue) {
        events.add(sale.eventId());
        RestoreScript.Reply reply = RestoreScript.run(redis, sale, queue);
        events.add(sale.eventId());
        if (reply.outcome() != RestoreScript.Outcome.RESTORED) {
            return new Restoring(reply.outcome(), null, 0);
        }
        return new Restoring(
                reply.outcome(),
                new EventStatus(sale.eventId(), sale.tickets(), reply.reserved(), reply.paid(), sale.gen()),
                reply.queueGen());
    }

    /**
     * Milliseconds until every sold-out answer of the event that nginx may be sharing has expired there (0 when
     * none may be), by Redis's clock: a reset answers only after, so no buyer of the new sale is told the old one
     * is sold out.
     */
    public long edgeWait(String eventId) {
        return EdgeWaitScript.run(redis, eventId).toMillis();
    }
}
