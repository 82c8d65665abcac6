package io.ticketrush.web.admin;

import io.ticketrush.archive.ArchiveUnavailableException;
import io.ticketrush.archive.ArchivedSale;
import io.ticketrush.archive.OrderArchive;
import io.ticketrush.archive.OrderHandoff;
import io.ticketrush.model.Ids;
import io.ticketrush.model.OrderStatus;
import io.ticketrush.order.Orders;
import io.ticketrush.queue.QueueStatus;
import io.ticketrush.queue.QueueStatusJson;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.LocalStock;
import io.ticketrush.stock.OpenScript;
import io.ticketrush.stock.RequestId;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code PUT /admin/events/{eventId}} opens or resets a sale (with a waiting room when the body has
 * {@code "queue"}); {@code GET} reads its counts and its waiting room's ledger; {@code DELETE} deletes it once its
 * orders are in PostgreSQL; {@code POST /admin/events/{eventId}/restore} puts back from PostgreSQL a sale Redis has
 * lost; {@code POST /admin/events/{eventId}/queue/pause} and {@code /queue/resume} stop and restart admission.
 * {@code PUT} and {@code DELETE} are applied once per request id ({@link RequestIds}).
 */
@WebServlet("/admin/events/*")
public class AdminServlet extends ApiServlet {

    /** {"tickets":1000000000,"holdSeconds":86400} is 40 bytes; room for whitespace, no room for abuse. */
    static final int MAX_BODY_BYTES = 4 * 1024;

    private static final String RESTORE = "/restore";
    private static final String PAUSE = "/queue/pause";
    private static final String RESUME = "/queue/resume";
    private static final Logger LOG = Logger.getLogger(AdminServlet.class.getName());
    /** nginx reads the clock once per round of its event loop: a shared answer may outlive its second by that much. */
    private static final long EDGE_CLOCK_MARGIN_MILLIS = 50;

    @Inject
    AdminAuth auth;

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

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        String rest = path == null ? "" : path.substring(1);
        boolean restore = rest.endsWith(RESTORE);
        boolean pause = rest.endsWith(PAUSE);
        boolean resume = rest.endsWith(RESUME);
        String eventId = restore
                ? rest.substring(0, rest.length() - RESTORE.length())
                : pause
                        ? rest.substring(0, rest.length() - PAUSE.length())
                        : resume ? rest.substring(0, rest.length() - RESUME.length()) : rest;
        if (eventId.isEmpty() || eventId.indexOf('/') >= 0) {
            throw ApiException.notFound("no such path");
        }
        if (!Ids.isValid(eventId)) {
            Ids.check("eventId", eventId);
            throw ApiException.badRequest("eventId may not begin or end with a space");
        }
        if (pause || resume) {
            if (!"POST".equals(request.getMethod())) {
                throw methodNotAllowed(request, response, "POST");
            }
            auth.check(request, response);
            if (!waitingRoom.pause(eventId, pause)) {
                throw ApiException.notFound("event " + eventId + " has no waiting room");
            }
            QueueStatus queue = waitingRoom.status(eventId);
            ApiResponse.send(
                    response,
                    200,
                    1,
                    pause ? "admission paused" : "admission resumed",
                    json -> QueueStatusJson.writeLedger(json, queue));
            return;
        }
        if (restore) {
            if (!"POST".equals(request.getMethod())) {
                throw methodNotAllowed(request, response, "POST");
            }
            auth.check(request, response);
            restore(eventId, response);
            return;
        }
        String method = request.getMethod();
        if (!"GET".equals(method) && !"PUT".equals(method) && !"DELETE".equals(method)) {
            throw methodNotAllowed(request, response, "GET, PUT, DELETE");
        }
        auth.check(request, response);
        if ("PUT".equals(method)) {
            open(eventId, request, response);
        } else if ("DELETE".equals(method)) {
            delete(eventId, request, response);
        } else {
            EventStatus status = globalStock.status(eventId);
            if (status == null) {
                throw ApiException.notFound("no such event: " + eventId);
            }
            Map<OrderStatus, Long> archived = archivedCounts(eventId);
            long lag = handoff.lag(eventId);
            QueueStatus queue = waitingRoom.statusOrNull(eventId);
            ApiResponse.send(response, 200, 1, "ok", json -> {
                eventJson(status).write(json);
                if (archived == null) {
                    json.writeNull("database");
                } else {
                    json.writeStartObject("database");
                    archived.forEach((orderStatus, count) ->
                            json.write(orderStatus.name().toLowerCase(Locale.ROOT), count));
                    json.writeEnd();
                }
                json.write("handoffLag", lag);
                if (queue == null) {
                    json.writeNull("queue");
                } else {
                    QueueStatusJson.writeLedger(json, queue);
                }
            });
        }
    }

    /**
     * Opens or resets the sale, once per request id: a repeat (nginx resending a PUT that timed out to another
     * instance, a client repeating its Idempotency-Key) changes nothing, draws no seed, and answers the sale as it is.
     */
    private void open(String eventId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body = body(request);
        SaleSettings settings = SaleSettings.parse(body);
        RequestId requestId = RequestIds.of(request, body);
        boolean queued = settings.queue() != null;
        waitingRoom.register(eventId, queued);
        GlobalStock.Opening opening = globalStock.open(
                eventId,
                settings.tickets(),
                settings.holdMillis(),
                settings.handoff(),
                queued ? WaitingRoom.setup(settings.queue()) : null,
                requestId);
        if (opening.outcome() == OpenScript.Outcome.ID_REUSED) {
            throw reused(requestId, eventId);
        }
        EventStatus status = opening.status();
        if (status == null) {
            throw ApiException.notFound("no such event: " + eventId + " (deleted since this request opened it)");
        }
        waitingRoom.register(eventId, queued);
        // This instance follows at once; the others within one refresh interval.
        localStock.update(status);
        orders.sweepSoon(eventId);
        boolean repeated = opening.outcome() == OpenScript.Outcome.REPEATED;
        QueueStatus read = queued || repeated ? waitingRoom.statusOrNull(eventId) : null;
        if (read != null && !read.open() && read.opensAt() <= read.now()) {
            // An opensAt already past opens the queue at once: do now what the advancers would within a round, so
            // that the answer says the state buyers meet (WAITING), not PRE_QUEUE.
            waitingRoom.advanceNow(eventId);
            read = waitingRoom.statusOrNull(eventId);
        }
        QueueStatus queue = read;
        ApiResponse.Data opened = json -> {
            eventJson(status).write(json);
            if (queue != null) {
                QueueStatusJson.writeLedger(json, queue);
            }
        };
        // nginx may still be telling buyers the old sale is sold out, for up to two seconds: answer once it no longer
        // can, so that from this answer on every buyer meets the new sale. The request's thread waits: an opening is
        // rare, and a wait of that length is longer than an asynchronous request may take (redis.request-timeout-ms).
        long edgeWait = globalStock.edgeWait(eventId);
        if (edgeWait > 0) {
            try {
                Thread.sleep(edgeWait + EDGE_CLOCK_MARGIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for nginx's shared answers to run out", e);
            }
        }
        ApiResponse.send(response, 200, 1, "sale opened", opened);
    }

    /**
     * Deletes the sale once its orders are in PostgreSQL (409 while the hand-off lags), once per request id. This
     * instance forgets it at once, the others within one refresh; purchases of it are answered 404 from then on.
     */
    private void delete(String eventId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        RequestId requestId = RequestIds.of(request, "");
        GlobalStock.Deletion deletion = globalStock.delete(eventId, requestId);
        switch (deletion.outcome()) {
            case NO_SUCH_EVENT -> throw ApiException.notFound("no such event: " + eventId);
            case HANDOFF_LAGS ->
                throw new ApiException(
                        409,
                        "sale " + eventId + " has " + deletion.unhanded()
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
        ApiResponse.send(
                response,
                200,
                1,
                "sale deleted",
                json -> json.write("eventId", eventId)
                        .write("tickets", deletion.tickets())
                        .write("reserved", deletion.reserved())
                        .write("paid", deletion.paid())
                        .write("available", deletion.available()));
    }

    private static ApiException reused(RequestId requestId, String eventId) {
        return new ApiException(
                422,
                "request id " + requestId.id() + " was already used for another request on sale " + eventId + " ("
                        + RequestIds.IDEMPOTENCY_KEY + " / " + RequestIds.REQUEST_ID + ")");
    }

    /**
     * Puts a sale Redis has lost back from PostgreSQL: its buyers keep their orders, the rest of its tickets sell on,
     * and a sale with a waiting room gets one again with its settings (a new one: places and admissions were never
     * in the database). Only for a lost sale: one Redis has is a 409, and so is a deleted one; a sale the database
     * never had is a 404.
     */
    private void restore(String eventId, HttpServletResponse response) throws IOException {
        if (globalStock.status(eventId) != null) {
            throw notLost(eventId);
        }
        if (!globalStock.deleted(List.of(eventId)).isEmpty()) {
            // Asked before the database; restore.lua refuses it again in the same step as the restore.
            throw deletedNotLost(eventId);
        }
        ArchivedSale sale = archive.sale(eventId)
                .orElseThrow(() -> ApiException.notFound("the database holds no sale " + eventId
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
        ApiResponse.send(response, 200, 1, "sale restored from the database", json -> {
            eventJson(status).write(json);
            json.write("restoredOrders", sale.orders().size());
            if (queue != null) {
                QueueStatusJson.writeLedger(json, queue);
            }
        });
    }

    private static ApiException deletedNotLost(String eventId) {
        return new ApiException(
                409,
                "sale " + eventId + " was deleted; restoring is only for a sale Redis has lost" + " (PUT /admin/events/"
                        + eventId + " opens it again as a new sale)");
    }

    private static ApiException notLost(String eventId) {
        return new ApiException(409, "sale " + eventId + " is in Redis; restoring is only for a sale Redis has lost");
    }

    /** The database's counts, or null while it cannot answer: the sale goes on without it. */
    private Map<OrderStatus, Long> archivedCounts(String eventId) {
        try {
            return archive.counts(eventId);
        } catch (ArchiveUnavailableException e) {
            return null;
        }
    }

    private static String body(HttpServletRequest request) throws IOException {
        String type = request.getContentType();
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new ApiException(415, "Content-Type must be application/json");
        }
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        try (InputStream in = request.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static ApiResponse.Data eventJson(EventStatus status) {
        return json -> json.write("eventId", status.eventId())
                .write("tickets", status.tickets())
                .write("reserved", status.reserved())
                .write("paid", status.paid())
                .write("available", status.available());
    }
}
