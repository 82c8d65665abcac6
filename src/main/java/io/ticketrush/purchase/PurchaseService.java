package io.ticketrush.purchase;

import io.ticketrush.purchase.PurchaseMetrics.Outcome;
import io.ticketrush.queue.QueueRefusedException;
import io.ticketrush.queue.QueueTokens;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.redis.RedisUnavailableException;
import io.ticketrush.stock.EventShare;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.LocalStock;
import io.ticketrush.stock.Reservation;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A purchase needs both a local permit and the Redis reservation. Most requests of a flash sale fail, and they
 * fail at the local permit, without a network call. No lock is held while Redis answers.
 *
 * <p>"Sold out" is said only when Redis said so (the share latches it until tickets come back). A share that is
 * merely empty — its permits held by requests still waiting for Redis, or used up while Redis still has tickets —
 * puts the buyer in its line for the next permit, for a short while, without holding a thread; a buyer who waited
 * in vain is told "busy, try again", never "sold out".
 *
 * <p>Three kinds of request ask Redis even when the share says sold out: a retry (the buyer did not get the answer
 * to an earlier attempt, which may have been their reservation), and one whose sold-out answer nginx will give to
 * every buyer of the sale for the rest of the second ({@code shared}): that answer must be Redis's own, so a sale
 * whose tickets came back, or which was reset, sells again at the next such request.
 *
 * <p>The shares are {@link LocalStock}'s, which makes, resizes and replaces them; a request asks it for an event's
 * share once and keeps the reference until the share is retired (its sale was reset): taking a permit needs no
 * EJB container around it, the semaphore is the guard (docs/design.md, the hot path).
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

    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "stock.permit-wait-ms")
    long permitWaitMillis;

    @Inject
    @ConfigProperty(name = "stock.max-waiting")
    int maxWaiting;

    private static final CompletableFuture<Reservation> SOLD_OUT_LOCALLY =
            CompletableFuture.completedFuture(Reservation.SOLD_OUT);
    private static final CompletableFuture<Reservation> TRY_AGAIN = CompletableFuture.completedFuture(Reservation.BUSY);

    /** The shares {@link LocalStock} gave out, by event; only events that exist get in. */
    private final ConcurrentMap<String, EventShare> shares = new ConcurrentHashMap<>();

    /**
     * The purchase's outcome, done at once when no Redis call is needed (Redis said the sale is sold out), else once
     * Redis has replied; a failure to reach Redis completes it with a {@link RedisUnavailableException}. Nothing
     * here waits for Redis on a thread.
     *
     * @param retry     the buyer says an earlier attempt went unanswered (503, timeout, broken connection), so they
     *                  may hold an order they were never told of
     * @param admission the admission token of a sale with a waiting room, or null
     * @param shared    a sold-out answer to this request will be shared by nginx with every buyer of the sale
     */
    public CompletableFuture<Reservation> purchase(
            String eventId, String userId, boolean retry, String admission, boolean shared) {
        EventShare share = share(eventId);
        if (share == null) {
            metrics.count(Outcome.NO_SUCH_EVENT);
            return CompletableFuture.completedFuture(Reservation.NO_SUCH_EVENT);
        }
        // Asked only for an event that exists, so made-up event ids leave nothing behind in the waiting room.
        if (waitingRoom.queued(eventId, share.gen())) {
            return purchaseQueued(share, userId, retry, admission);
        }
        if (share.tryAcquire()) {
            return reserve(share, userId, true, shared, retry, admission);
        }
        if (share.soldOut()) {
            return soldOut(share, userId, retry, admission, shared);
        }
        // On a thread of the container's: a permit is handed over on the thread giving it back (Redis's reply), which
        // must not go on to run this purchase too, nor, when that fails at once, the next one waiting, and so on.
        // Applied, then composed, not thenComposeAsync: the request's deadline may complete the future returned here
        // first, and a composition whose result is already complete never runs its function — a permit granted
        // meanwhile would be neither used nor given back. The stage applied here is nobody else's: it always runs.
        return share.acquire(permitWaitMillis, maxWaiting)
                .thenApplyAsync(
                        grant -> switch (grant) {
                            case PERMIT -> reserve(share, userId, true, shared, retry, admission);
                            case SOLD_OUT -> soldOut(share, userId, retry, admission, shared);
                            case RETIRED -> purchase(eventId, userId, retry, admission, shared);
                            case BUSY -> {
                                metrics.count(Outcome.BUSY);
                                yield TRY_AGAIN;
                            }
                        },
                        executor)
                .thenCompose(next -> next);
    }

    /**
     * Redis said the sale has no ticket left: so the answer, without asking again, unless it will be shared or the
     * buyer may hold an order they were never told of; then Redis decides, as for a fresh reservation.
     */
    private CompletableFuture<Reservation> soldOut(
            EventShare share, String userId, boolean retry, String admission, boolean shared) {
        if (retry) {
            return reserve(share, userId, false, shared, true, admission);
        }
        if (!shared) {
            metrics.count(Outcome.SOLD_OUT_LOCAL);
            return SOLD_OUT_LOCALLY;
        }
        Reservation known = share.sharedSoldOut(System.currentTimeMillis() / 1000);
        if (known != null) {
            metrics.count(Outcome.SOLD_OUT_LOCAL);
            return CompletableFuture.completedFuture(known);
        }
        return confirmSoldOut(share, userId, admission);
    }

    /**
     * A sold-out answer nginx will share, asked of Redis by one request at a time: the others of that moment (a crowd
     * meeting an answer that just ran out) take its "sold out", or, when it bought the ticket that came back, ask
     * for their own.
     */
    private CompletableFuture<Reservation> confirmSoldOut(EventShare share, String userId, String admission) {
        CompletableFuture<Reservation> mine = new CompletableFuture<>();
        CompletableFuture<Reservation> asking = share.confirmOrJoin(mine);
        if (asking != null) {
            return asking.handle((answer, failure) -> {
                        if (failure == null && answer.outcome() == Reservation.Outcome.SOLD_OUT) {
                            metrics.count(Outcome.SOLD_OUT_LOCAL);
                            return CompletableFuture.completedFuture(answer);
                        }
                        return reserve(share, userId, false, true, false, admission);
                    })
                    .thenCompose(next -> next);
        }
        reserve(share, userId, false, true, false, admission).whenComplete((answer, failure) -> {
            share.confirmed(mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(answer);
            }
        });
        return mine;
    }

    /**
     * The reservation in Redis, with or without a permit of the share ({@code permit}: one is held, to keep on a sale
     * and give back otherwise).
     */
    private CompletableFuture<Reservation> reserve(
            EventShare share, String userId, boolean permit, boolean shared, boolean retry, String admission) {
        String eventId = share.eventId();
        return globalStock
                .reserve(eventId, share.keys(), userId, orderSuffix(), shared)
                .handle((reservation, failure) -> {
                    settlePermit(share, permit, reservation, failure);
                    if (failure != null) {
                        return CompletableFuture.<Reservation>failedFuture(failure);
                    }
                    switch (reservation.outcome()) {
                        case RESERVED -> metrics.count(Outcome.RESERVED);
                        case SOLD_OUT -> {
                            share.markSoldOut();
                            if (reservation.sharedThrough() > 0) {
                                share.rememberSharedSoldOut(reservation);
                            }
                            metrics.count(Outcome.SOLD_OUT_REDIS);
                        }
                        case ALREADY_HELD -> metrics.count(Outcome.ALREADY_HELD);
                        case NOT_ADMITTED -> {
                            // This instance did not know yet that the sale has a waiting room (opened a moment ago
                            // elsewhere).
                            waitingRoom.forget(eventId);
                            return purchaseQueued(share, userId, retry, admission);
                        }
                        default -> {
                            return ended(eventId, reservation);
                        }
                    }
                    return CompletableFuture.completedFuture(reservation);
                })
                .thenCompose(next -> next);
    }

    /**
     * Gives back a permit that did not become a sale ({@code permit}: one is held) and counts a failure of Redis. A
     * permit that became a sale stays taken.
     */
    private void settlePermit(EventShare share, boolean permit, Reservation reservation, Throwable failure) {
        if (permit && (failure != null || reservation.outcome() != Reservation.Outcome.RESERVED)) {
            share.release();
        }
        if (failure != null) {
            metrics.count(Outcome.REDIS_FAILED);
        }
    }

    /** The answer to a reservation whose sale Redis no longer has: lost (503), or deleted. */
    private CompletableFuture<Reservation> ended(String eventId, Reservation reservation) {
        return switch (reservation.outcome()) {
            case NO_SUCH_EVENT -> CompletableFuture.failedFuture(lost(eventId));
            // Its permit went back in settlePermit; forgetting the share ends every wait on it.
            case DELETED -> CompletableFuture.completedFuture(deleted(eventId));
            default -> throw new IllegalStateException("unexpected " + reservation.outcome());
        };
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
    private CompletableFuture<Reservation> purchaseQueued(
            EventShare share, String userId, boolean retry, String admission) {
        QueueTokens.Admission admitted;
        try {
            admitted = waitingRoom.checkAdmission(share.eventId(), userId, admission);
        } catch (QueueRefusedException refused) {
            if (!retry) {
                return CompletableFuture.failedFuture(refused);
            }
            return heldOrSoldOut(share, userId)
                    .thenCompose(held -> held.outcome() == Reservation.Outcome.ALREADY_HELD
                            ? CompletableFuture.completedFuture(held)
                            : CompletableFuture.failedFuture(refused));
        }
        return purchaseAdmitted(share, userId, admitted);
    }

    /**
     * A buyer with a genuine admission (the reserve script checks it is unused and within its window). The local
     * share sheds load as for anyone, except that an admitted buyer meeting a used-up share still asks Redis:
     * admissions never outnumber the tickets available, so each admitted buyer has one, wherever its share is.
     */
    private CompletableFuture<Reservation> purchaseAdmitted(
            EventShare share, String userId, QueueTokens.Admission admission) {
        String eventId = share.eventId();
        boolean permit = share.tryAcquire();
        var used = new GlobalStock.Admission(admission.gen(), admission.place(), admission.position());
        return globalStock
                .reserve(eventId, share.keys(), userId, orderSuffix(), used)
                .handle((reservation, failure) -> {
                    if (failure != null) {
                        return CompletableFuture.<Reservation>failedFuture(failure);
                    }
                    switch (reservation.outcome()) {
                        case RESERVED -> metrics.count(Outcome.RESERVED);
                        case SOLD_OUT -> metrics.count(Outcome.SOLD_OUT_REDIS);
                        case ALREADY_HELD -> metrics.count(Outcome.ALREADY_HELD);
                        case NOT_ADMITTED -> waitingRoom.forget(eventId);
                        default -> {
                            return ended(eventId, reservation);
                        }
                    }
                    return CompletableFuture.completedFuture(reservation);
                })
                .thenCompose(next -> next);
    }

    /** The order a retrying buyer of a queued sale may hold, whose admission was refused; a read, never a sale. */
    private CompletableFuture<Reservation> heldOrSoldOut(EventShare share, String userId) {
        return globalStock
                .held(share.keys(), userId)
                .handle((held, failure) -> {
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
                })
                .thenCompose(next -> next);
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
        return new RedisUnavailableException(
                "Redis no longer has event " + eventId + ", which this instance was selling", null);
    }

    private static String orderSuffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(SUFFIX_MIN, SUFFIX_BOUND), Character.MAX_RADIX);
    }
}
