package io.ticketrush.web.admin;

import io.ticketrush.model.Ids;
import io.ticketrush.queue.QueueStatus;
import io.ticketrush.queue.QueueStatusJson;
import io.ticketrush.sale.RequestIdReusedException;
import io.ticketrush.sale.Sales;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.RequestId;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code PUT /admin/events/{eventId}} opens or resets a sale (with a waiting room when the body has
 * {@code "queue"}); {@code GET} reads its counts and its waiting room's ledger; {@code DELETE} deletes it once its
 * orders are in PostgreSQL; {@code POST /admin/events/{eventId}/restore} puts back from PostgreSQL a sale Redis has
 * lost; {@code POST /admin/events/{eventId}/queue/pause} and {@code /queue/resume} stop and restart admission.
 * {@code PUT} and {@code DELETE} are applied once per request id ({@link RequestIds}). This servlet routes, checks
 * the token, reads the request and writes the answer; {@link Sales} does the work.
 */
@WebServlet("/admin/events/*")
public class AdminServlet extends ApiServlet {

    /** {"tickets":1000000000,"holdSeconds":86400} is 40 bytes; room for whitespace, no room for abuse. */
    static final int MAX_BODY_BYTES = 4 * 1024;

    private static final String RESTORE = "/restore";
    private static final String PAUSE = "/queue/pause";
    private static final String RESUME = "/queue/resume";

    @Inject
    AdminAuth auth;

    @Inject
    Sales sales;

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
            QueueStatus queue = sales.pause(eventId, pause);
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
            restored(sales.restore(eventId), response);
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
            report(sales.report(eventId), response);
        }
    }

    private void open(String eventId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        String body = body(request);
        SaleSettings settings = SaleSettings.parse(body);
        RequestId requestId = RequestIds.of(request, body);
        Sales.Terms terms =
                new Sales.Terms(settings.tickets(), settings.holdMillis(), settings.handoff(), settings.queue());
        Sales.Opened opened = once(() -> sales.open(eventId, terms, requestId));
        ApiResponse.send(response, 200, 1, "sale opened", json -> {
            eventJson(opened.status()).write(json);
            if (opened.queue() != null) {
                QueueStatusJson.writeLedger(json, opened.queue());
            }
        });
    }

    private void delete(String eventId, HttpServletRequest request, HttpServletResponse response) throws IOException {
        RequestId requestId = RequestIds.of(request, "");
        GlobalStock.Deletion deletion = once(() -> sales.delete(eventId, requestId));
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

    /** Runs a change applied once per request id; an id already used for another request is a 422 naming both headers. */
    private static <T> T once(Supplier<T> change) {
        try {
            return change.get();
        } catch (RequestIdReusedException e) {
            throw new ApiException(
                    422, e.getMessage() + " (" + RequestIds.IDEMPOTENCY_KEY + " / " + RequestIds.REQUEST_ID + ")");
        }
    }

    private static void report(Sales.Report report, HttpServletResponse response) throws IOException {
        ApiResponse.send(response, 200, 1, "ok", json -> {
            eventJson(report.status()).write(json);
            if (report.archived() == null) {
                json.writeNull("database");
            } else {
                json.writeStartObject("database");
                report.archived()
                        .forEach((orderStatus, count) ->
                                json.write(orderStatus.name().toLowerCase(Locale.ROOT), count));
                json.writeEnd();
            }
            json.write("handoffLag", report.handoffLag());
            if (report.queue() == null) {
                json.writeNull("queue");
            } else {
                QueueStatusJson.writeLedger(json, report.queue());
            }
        });
    }

    private static void restored(Sales.Restored restored, HttpServletResponse response) throws IOException {
        ApiResponse.send(response, 200, 1, "sale restored from the database", json -> {
            eventJson(restored.status()).write(json);
            json.write("restoredOrders", restored.restoredOrders());
            if (restored.queue() != null) {
                QueueStatusJson.writeLedger(json, restored.queue());
            }
        });
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
