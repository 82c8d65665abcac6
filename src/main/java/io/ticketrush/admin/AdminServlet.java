package io.ticketrush.admin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.ticketrush.order.ArchiveUnavailableException;
import io.ticketrush.order.OrderArchive;
import io.ticketrush.order.OrderHandoff;
import io.ticketrush.order.OrderStatus;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.stock.LocalStock;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import io.ticketrush.web.Ids;

/** {@code PUT /admin/events/{eventId}} opens or resets a sale; {@code GET} reads its counts. */
@WebServlet("/admin/events/*")
public class AdminServlet extends ApiServlet {

    /** {"tickets":1000000000,"holdSeconds":86400} is 40 bytes; room for whitespace, no room for abuse. */
    static final int MAX_BODY_BYTES = 4 * 1024;

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

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        String eventId = path == null ? "" : path.substring(1);
        if (!Ids.isValid(eventId)) {
            throw ApiException.notFound("no such path");
        }
        String method = request.getMethod();
        if (!"GET".equals(method) && !"PUT".equals(method)) {
            throw methodNotAllowed(request, response, "GET, PUT");
        }
        auth.check(request, response);
        if ("PUT".equals(method)) {
            SaleSettings settings = SaleSettings.parse(body(request));
            EventStatus status = globalStock.open(eventId, settings.tickets(), settings.holdMillis(), settings.handoff());
            // This instance follows at once; the others within one refresh interval.
            localStock.update(status);
            ApiResponse.send(response, 200, 1, "sale opened", eventJson(status));
        } else {
            EventStatus status = globalStock.status(eventId);
            if (status == null) {
                throw ApiException.notFound("no such event: " + eventId);
            }
            Map<OrderStatus, Long> archived = archivedCounts(eventId);
            long lag = handoff.lag(eventId);
            ApiResponse.send(response, 200, 1, "ok", json -> {
                eventJson(status).write(json);
                if (archived == null) {
                    json.writeNull("database");
                } else {
                    json.writeStartObject("database");
                    archived.forEach((orderStatus, count) -> json.write(orderStatus.name().toLowerCase(Locale.ROOT), count));
                    json.writeEnd();
                }
                json.write("handoffLag", lag);
            });
        }
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
