package io.ticketrush.web.buyer;

import io.ticketrush.model.Ids;
import io.ticketrush.queue.WaitingRoom;
import io.ticketrush.stock.EventStatus;
import io.ticketrush.stock.GlobalStock;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /events/{eventId}}: a sale as its buyers see it (the buyer's page shows it before anything else):
 * its tickets, how many are left, and whether it has a waiting room. The same answer for every buyer, so nginx
 * keeps it for a second like the waiting room's state.
 */
@WebServlet("/events/*")
public class EventServlet extends ApiServlet {

    @Inject
    GlobalStock globalStock;

    @Inject
    WaitingRoom waitingRoom;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        String eventId = path == null ? "" : path.substring(1);
        if (!Ids.isValid(eventId)) {
            throw ApiException.notFound("no such path");
        }
        if (!"GET".equals(request.getMethod())) {
            throw methodNotAllowed(request, response, "GET");
        }
        EventStatus status = globalStock.status(eventId);
        if (status == null) {
            throw ApiException.notFound("no such event: " + eventId);
        }
        boolean queued = waitingRoom.queued(eventId, status.gen());
        response.setHeader("Cache-Control", "public, max-age=1");
        ApiResponse.send(
                response,
                200,
                1,
                "ok",
                json -> json.write("eventId", eventId)
                        .write("tickets", status.tickets())
                        .write("available", status.available())
                        .write("reserved", status.reserved())
                        .write("paid", status.paid())
                        .write("soldOut", status.available() == 0 && status.reserved() == 0)
                        .write("queue", queued));
    }
}
