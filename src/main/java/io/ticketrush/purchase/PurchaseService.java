package io.ticketrush.purchase;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.ticketrush.purchase.PurchaseMetrics.Outcome;
import io.ticketrush.queue.QueueTokens;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.redis.RedisUnavailableException;
import io.ticketrush.stock.EventShare;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.LocalStock;
import io.ticketrush.stock.Reservation;
import io.ticketrush.web.ApiException;

/**
 * A purchase needs both a local permit and the Redis reservation. Most requests of a flash sale fail, and they
 * fail at the local permit, without a network call. No lock is held while Redis answers.
 *
 * <p>A retry (the buyer did not get the answer to an earlier attempt) that meets a used-up share asks Redis one
 * read first: the lost answer may have been their reservation, and they get it back rather than "sold out".
 *
 * <p>The shares are {@link LocalStock}'s, which makes, resizes and replaces them; a request asks it for an event's
 * share once and keeps the reference until the share is retired (its sale was reset). Entering the EJB container
 * on every request cost a sixth of the sold-out path's CPU (docs/benchmarks.md); taking a permit never needed it,
 * the semaphore is the guard.
 */
@ApplicationScoped
public class PurchaseService {

    /** Order-id suffixes are six base-36 characters: 36^5 is the smallest such number, 36^6 the first too big. */
    private static final long SUFFIX_MIN = 60_466_176L;
    private static final long SUFFIX_BOUND = 2_176_782_336L;

    @EJB
    LocalStock localStock;

    @Inject
    GlobalStock globalStock;

    @Inject
    PurchaseMetrics metrics;

    @Inject
    WaitingRoom waitingRoom;

    private static final CompletableFuture<Reservation> SOLD_OUT_LOCALLY = CompletableFuture.completedFuture(Reservation.SOLD_OUT);

    /** The shares {@link LocalStock} gave out, by event; only events that exist get in. */
    private final ConcurrentMap<String, EventShare> shares = new ConcurrentHashMap<>();

    /**
     * The purchase's outcome, done at once when no Redis call is needed (the local share is used up), else once
     * Redis has replied; a failure to reach Redis completes it with a {@link RedisUnavailableException}. Nothing
     * here waits for Redis.
     *
     * @param retry     the buyer says an earlier attempt went unanswered (503, timeout, broken connection), so they
     *                  may hold an order they were never told of
     * @param admission the admission token of a sale with a waiting room, or null
     */
    public CompletableFuture<Reservation> purchase(String eventId, String userId, boolean retry, String admission) {
        EventShare share = share(eventId);
        if (share == null) {
            metrics.count(Outcome.NO_SUCH_EVENT);
            return CompletableFuture.completedFuture(Reservation.NO_SUCH_EVENT);
        }
        // Asked only for an event that exists, so made-up event ids leave nothing behind in the waiting room.
        if (waitingRoom.queued(eventId, share.gen())) {
            return purchaseQueued(share, userId, retry, admission);
        }
        if (!share.tryAcquire()) {
            if (retry) {
                return heldOrSoldOut(share, userId);
            }
            metrics.count(Outcome.SOLD_OUT_LOCAL);
            return SOLD_OUT_LOCALLY;
        }
        return globalStock.reserve(eventId, share.keys(), userId, orderSuffix()).handle((reservation, failure) -> {
            if (failure != null) {
                share.release();
                metrics.count(Outcome.REDIS_FAILED);
                return CompletableFuture.<Reservation>failedFuture(failure);
            }
            if (reservation.outcome() == Reservation.Outcome.NOT_ADMITTED) {
                // This instance did not know yet that the sale has a waiting room (opened a moment ago elsewhere).
                share.release();
                waitingRoom.forget(eventId);
                return purchaseQueued(share, userId, retry, admission);
            }
            switch (reservation.outcome()) {
                case RESERVED -> metrics.count(Outcome.RESERVED); // the permit became a sale and stays taken
                case SOLD_OUT -> {
                    share.markSoldOut();
                    share.release();
                    metrics.count(Outcome.SOLD_OUT_REDIS);
                }
                case ALREADY_HELD -> {
                    share.release();
                    metrics.count(Outcome.ALREADY_HELD);
                }
                case NO_SUCH_EVENT -> {
                    share.release();
                    return CompletableFuture.<Reservation>failedFuture(lost(eventId));
                }
                case DELETED -> {
                    share.release();
                    return CompletableFuture.completedFuture(deleted(eventId));
                }
                default -> throw new IllegalStateException("unexpected " + reservation.outcome());
            }
            return CompletableFuture.completedFuture(reservation);
        }).thenCompose(next -> next);
    }

    /** This instance's current share of the event, or null when Redis has never heard of the event. */
    private EventShare share(String eventId) {
        EventShare share = shares.get(eventId);
        if (share != null && !share.retired()) {
            return share;
        }
        share = localStock.share(eventId);
        if (share == null) {
            EventStatus status = globalStock.status(eventId);
            if (status == null) {
                return null;
            }
            share = localStock.update(status);
        }
        shares.put(eventId, share);
        return share;
    }

    /**
     * A purchase in a sale with a waiting room. A retrying buyer whose admission is refused (it expired while
     * their answer was lost, say) is given the order they may hold rather than the refusal.
     */
    private CompletableFuture<Reservation> purchaseQueued(EventShare share, String userId, boolean retry,
            String admission) {
        QueueTokens.Admission admitted;
        try {
            admitted = waitingRoom.checkAdmission(share.eventId(), userId, admission);
        } catch (ApiException refused) {
            if (!retry) {
                return CompletableFuture.failedFuture(refused);
            }
            return heldOrSoldOut(share, userId).thenCompose(held -> held.outcome() == Reservation.Outcome.ALREADY_HELD
                    ? CompletableFuture.completedFuture(held) : CompletableFuture.failedFuture(refused));
        }
        return purchaseAdmitted(share, userId, admitted);
    }

    /**
     * A buyer with a genuine admission (the reserve script checks it is unused and within its window). The local
     * share sheds load as for anyone, except that an admitted buyer meeting a used-up share still asks Redis:
     * admissions never outnumber the tickets available, so each admitted buyer has one, wherever its share is.
     */
    private CompletableFuture<Reservation> purchaseAdmitted(EventShare share, String userId,
            QueueTokens.Admission admission) {
        String eventId = share.eventId();
        boolean permit = share.tryAcquire();
        return globalStock.reserve(eventId, share.keys(), userId, orderSuffix(), admission).handle((reservation, failure) -> {
            if (failure != null) {
                if (permit) {
                    share.release();
                }
                metrics.count(Outcome.REDIS_FAILED);
                return CompletableFuture.<Reservation>failedFuture(failure);
            }
            if (permit && reservation.outcome() != Reservation.Outcome.RESERVED) {
                share.release();
            }
            switch (reservation.outcome()) {
                case RESERVED -> metrics.count(Outcome.RESERVED);
                case SOLD_OUT -> metrics.count(Outcome.SOLD_OUT_REDIS);
                case ALREADY_HELD -> metrics.count(Outcome.ALREADY_HELD);
                case NOT_ADMITTED -> waitingRoom.forget(eventId);
                case NO_SUCH_EVENT -> {
                    return CompletableFuture.<Reservation>failedFuture(lost(eventId));
                }
                case DELETED -> {
                    return CompletableFuture.completedFuture(deleted(eventId));
                }
                default -> throw new IllegalStateException("unexpected " + reservation.outcome());
            }
            return CompletableFuture.completedFuture(reservation);
        }).thenCompose(next -> next);
    }

    /** A used-up share sells nothing, retry or not; it only gives a retrying buyer the order they may hold. */
    private CompletableFuture<Reservation> heldOrSoldOut(EventShare share, String userId) {
        return globalStock.held(share.keys(), userId).handle((held, failure) -> {
            if (failure != null) {
                metrics.count(Outcome.REDIS_FAILED);
                return CompletableFuture.<Reservation>failedFuture(failure);
            }
            switch (held.outcome()) {
                case ALREADY_HELD -> metrics.count(Outcome.ALREADY_HELD);
                case NO_SUCH_EVENT -> {
                    return CompletableFuture.<Reservation>failedFuture(lost(share.eventId()));
                }
                case DELETED -> {
                    return CompletableFuture.completedFuture(deleted(share.eventId()));
                }
                default -> metrics.count(Outcome.SOLD_OUT_RETRY);
            }
            return CompletableFuture.completedFuture(held);
        }).thenCompose(next -> next);
    }

    /**
     * An operator deleted the sale, which this instance has not learnt from its refresh yet: its share goes now, and
     * the buyer is told there is no such event.
     */
    private Reservation deleted(String eventId) {
        localStock.forget(eventId);
        shares.remove(eventId);
        waitingRoom.forget(eventId);
        metrics.count(Outcome.NO_SUCH_EVENT);
        return Reservation.NO_SUCH_EVENT;
    }

    /**
     * This instance saw the sale in Redis (it holds a share) and Redis has no tombstone of a deletion: Redis has
     * lost it, to a failover onto a server without the data or a restart without persistence. The sale exists; the
     * buyer is told to retry, not that there is no such event.
     */
    private RedisUnavailableException lost(String eventId) {
        metrics.count(Outcome.REDIS_FAILED);
        return new RedisUnavailableException("Redis no longer has event " + eventId
                + ", which this instance was selling", null);
    }

    private static String orderSuffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(SUFFIX_MIN, SUFFIX_BOUND), Character.MAX_RADIX);
    }
}
