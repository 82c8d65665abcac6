package io.ticketrush.sale;

import io.ticketrush.archive.ArchiveUnavailableException;
import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.archive.OrderArchive;
import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.model.OrderStatus;
import io.ticketrush.model.QueueSettings;
import io.ticketrush.order.Orders;
import io.ticketrush.queue.NoWaitingRoomException;
import io.ticketrush.queue.QueueStatus;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.LocalStock;
import io.ticketrush.stock.OpenScript;
import io.ticketrush.stock.RequestId;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The operator's actions on a sale. Each keeps the floors below in step: Redis's stock and waiting room first (one
 * script each), then this instance's share, its waiting-room view and its order sweeps at once (the other instances
 * follow within one refresh). A refusal is a {@link NoSuchSaleException}, {@link SaleConflictException},
 * {@link RequestIdReusedException} or the waiting room's {@link NoWaitingRoomException}.
 */
@ApplicationScoped
public class Sales {

    private static final Logger LOG = Logger.getLogger(Sales.class.getName());
    /** nginx reads the clock once per round of its event loop: a shared answer may outlive its second by that much. */
    private static final long EDGE_CLOCK_MARGIN_MILLIS = 50;
    /** The longest nginx gives a shared answer: to the end of the second after the one Redis gave it in. */
    private static final long EDGE_MAX_MILLIS = 2000;

    /** What an operator opens: the stock, how long an order is held unpaid, the hand-off, a waiting room or none. */
    public record Terms(long tickets, long holdMillis, boolean handoff, QueueSettings queue) {}

    /** A sale as it stands after an opening or a restore; {@code queue} is null without a waiting room. */
    public record Opened(EventStatus status, QueueStatus queue) {}

    /** A sale restored from PostgreSQL, with the number of orders put back. */
    public record Restored(EventStatus status, int restoredOrders, QueueStatus queue) {}

    /**
     * A sale's counts: Redis's, PostgreSQL's ({@code archived}, null while the database cannot answer: the sale goes
     * on without it), the hand-off's lag between them, and its waiting room's ledger (null without one).
     */
    public record Report(EventStatus status, Map<OrderStatus, Long> archived, long handoffLag, QueueStatus queue) {}

    @Inject
    GlobalStock globalStock;

    @EJB
    LocalStock localStock;

    @Inject
    OrderArchive archive;

    @EJB
    OrderHandoff handoff;

    @Inject
    WaitingRoom waitingRoom;

    @Inject
    Orders orders;

    /**
     * Opens or resets the sale, once per request id: a repeat (nginx resending a PUT that timed out to another
     * instance, a client repeating its Idempotency-Key) changes nothing, draws no seed, and answers the sale as it is.
     * Returns once nginx can no longer be telling buyers the old sale is sold out (up to two seconds), so that from
     * the answer on every buyer meets the new sale.
     */
    public Opened open(String eventId, Terms terms, RequestId requestId) {
        boolean lost = lost(eventId);
        boolean queued = terms.queue() != null;
        waitingRoom.register(eventId, queued);
        GlobalStock.Opening opening = globalStock.open(
                eventId,
                terms.tickets(),
                terms.holdMillis(),
                terms.handoff(),
                queued ? WaitingRoom.setup(terms.queue()) : null,
                requestId);
        if (opening.outcome() == OpenScript.Outcome.ID_REUSED) {
            throw reused(requestId, eventId);
        }
        EventStatus status = opening.status();
        if (status == null) {
            throw new NoSuchSaleException("no such event: " + eventId + " (deleted since this request opened it)");
        }
        waitingRoom.register(eventId, queued);
        localStock.update(status);
        orders.sweepSoon(eventId);
        boolean repeated = opening.outcome() == OpenScript.Outcome.REPEATED;
        QueueStatus queue = queued || repeated ? waitingRoom.statusOrNull(eventId) : null;
        if (queue != null && !queue.open() && queue.opensAt() <= queue.now()) {
            // An opensAt already past opens the queue at once: do now what the advancers would within a round, so
            // that the answer says the state buyers meet (WAITING), not PRE_QUEUE.
            waitingRoom.advanceNow(eventId);
            queue = waitingRoom.statusOrNull(eventId);
        }
        waitForEdge(eventId, lost);
        return new Opened(status, queue);
    }

    /**
     * Whether Redis has lost the sale: it holds neither the sale nor its tombstone, yet the sale was sold before (this
     * instance holds a share of it, or PostgreSQL has it). Its record of nginx's shared answers ({@code edgeUntil})
     * went with it, so an opening waits out the longest such answer instead. A brand-new sale is not waited for; nor
     * is a lost one opened without the hand-off on an instance that never sold it, nor one while PostgreSQL is away.
     */
    private boolean lost(String eventId) {
        if (globalStock.status(eventId) != null
                || !globalStock.deleted(List.of(eventId)).isEmpty()) {
            return false;
        }
        if (localStock.share(eventId) != null) {
            return true;
        }
        try {
            return archive.knows(eventId);
        } catch (ArchiveUnavailableException e) {
            return false;
        }
    }

    /**
     * nginx may still be telling buyers the old sale is sold out, for up to two seconds: as long as Redis recorded, or
     * the longest it can be for a sale Redis lost. The request's thread waits: an opening is rare, and a wait of that
     * length is longer than an asynchronous request may take (redis.request-timeout-ms).
     */
    private void waitForEdge(String eventId, boolean lost) {
        long edgeWait = lost ? EDGE_MAX_MILLIS : globalStock.edgeWait(eventId);
        if (edgeWait > 0) {
            try {
                Thread.sleep(edgeWait + EDGE_CLOCK_MARGIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for nginx's shared answers to run out", e);
            }
        }
    }

    /** The sale's counts in Redis and PostgreSQL and its waiting room's ledger. */
    public Report report(String eventId) {
        EventStatus status = globalStock.status(eventId);
        if (status == null) {
            throw new NoSuchSaleException("no such event: " + eventId);
        }
        return new Report(status, archivedCounts(eventId), handoff.lag(eventId), waitingRoom.statusOrNull(eventId));
    }

    /** The database's counts, or null while it cannot answer. */
    private Map<OrderStatus, Long> archivedCounts(String eventId) {
        try {
            return archive.counts(eventId);
        } catch (ArchiveUnavailableException e) {
            return null;
        }
    }

    /**
     * Deletes the sale once its orders are in PostgreSQL (a conflict while the hand-off lags), once per request id.
     * This instance forgets it at once, the others within one refresh; purchases of it are no such event from then
     * on.
     */
    public GlobalStock.Deletion delete(String eventId, RequestId requestId) {
        GlobalStock.Deletion deletion = globalStock.delete(eventId, requestId);
        switch (deletion.outcome()) {
            case NO_SUCH_EVENT -> throw new NoSuchSaleException("no such event: " + eventId);
            case HANDOFF_LAGS ->
                throw new SaleConflictException("sale " + eventId + " has " + deletion.unhanded()
                        + " hand-off entries not yet in PostgreSQL (handoffLag): deleting it now would lose them;"
                        + " try again once its handoffLag is 0");
            case ID_REUSED -> throw reused(requestId, eventId);
            case DELETED, REPEATED -> {
                localStock.forget(eventId);
                waitingRoom.forget(eventId);
                orders.retire(eventId);
                waitingRoom.retire(eventId);
            }
        }
        if (deletion.outcome() == GlobalStock.Deletion.Outcome.DELETED) {
            LOG.warning(() -> "Sale " + eventId + " deleted: " + deletion.reserved() + " reserved, " + deletion.paid()
                    + " paid of " + deletion.tickets());
        }
        return deletion;
    }

    private static RequestIdReusedException reused(RequestId requestId, String eventId) {
        return new RequestIdReusedException(
                "request id " + requestId.id() + " was already used for another request on sale " + eventId);
    }

    /**
     * Puts a sale Redis has lost back from PostgreSQL: its buyers keep their orders, the rest of its tickets sell on,
     * and a sale with a waiting room gets one again with its settings (a new one: places and admissions were never
     * in the database). Only for a lost sale: one Redis has is a conflict, and so is a deleted one; a sale the
     * database never had is no such sale.
     */
    public Restored restore(String eventId) {
        if (globalStock.status(eventId) != null) {
            throw notLost(eventId);
        }
        if (!globalStock.deleted(List.of(eventId)).isEmpty()) {
            // Asked before the database; restore.lua refuses it again in the same step as the restore.
            throw deletedNotLost(eventId);
        }
        ArchivedSale sale = archive.sale(eventId)
                .orElseThrow(() -> new NoSuchSaleException("the database holds no sale " + eventId
                        + " to restore (never opened, or opened without the hand-off)"));
        boolean queued = sale.queue() != null;
        waitingRoom.register(eventId, queued);
        GlobalStock.Restoring restoring = globalStock.restore(sale, queued ? WaitingRoom.setup(sale.queue()) : null);
        switch (restoring.outcome()) {
            case ON_SALE -> throw notLost(eventId);
            case DELETED -> throw deletedNotLost(eventId);
            case RESTORED -> waitingRoom.register(eventId, queued);
        }
        EventStatus status = restoring.status();
        localStock.update(status);
        orders.sweepSoon(eventId);
        QueueStatus queue = queued ? waitingRoom.status(eventId) : null;
        LOG.warning(() -> "Sale " + eventId + " restored from the database: " + status.reserved() + " reserved, "
                + status.paid() + " paid, " + status.available() + " available"
                + (queued ? ", with a new waiting room" : ""));
        return new Restored(status, sale.orders().size(), queue);
    }

    private static SaleConflictException deletedNotLost(String eventId) {
        return new SaleConflictException("sale " + eventId
                + " was deleted; restoring is only for a sale Redis has lost (PUT /admin/events/" + eventId
                + " opens it again as a new sale)");
    }

    private static SaleConflictException notLost(String eventId) {
        return new SaleConflictException(
                "sale " + eventId + " is in Redis; restoring is only for a sale Redis has lost");
    }

    /** Stops ({@code paused}) or restarts admission to the sale's waiting room; its ledger afterwards. */
    public QueueStatus pause(String eventId, boolean paused) {
        if (!waitingRoom.pause(eventId, paused)) {
            throw new NoWaitingRoomException(eventId);
        }
        return waitingRoom.status(eventId);
    }
}
