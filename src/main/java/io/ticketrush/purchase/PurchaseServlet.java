package io.ticketrush.purchase;

import java.io.IOException;
import java.util.Locale;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ticketrush.order.OrderJson;
import io.ticketrush.stock.Reservation;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import io.ticketrush.web.Ids;

/** {@code POST /buy/ticket}: form parameters {@code userId} and, optionally, {@code eventId}. */
@WebServlet("/buy/ticket")
public class PurchaseServlet extends ApiServlet {

    /** A purchase form is two short ids; anything much larger is not a purchase. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    private static final String FORM = "application/x-www-form-urlencoded";

    @Inject
    PurchaseService purchases;

    @Inject
    @ConfigProperty(name = "event.default", defaultValue = "default")
    String defaultEvent;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            throw methodNotAllowed(request, response, "POST");
        }
        checkBody(request);
        String userId = Ids.parameter(request, "userId", null);
        String eventId = Ids.parameter(request, "eventId", defaultEvent);

        Reservation reservation = purchases.purchase(eventId, userId);
        switch (reservation.outcome()) {
            case RESERVED -> ApiResponse.send(response, 200, 1, "reserved", OrderJson.of(reservation.order()));
            case SOLD_OUT -> ApiResponse.send(response, 200, -1, "sold out", null);
            case ALREADY_HELD -> ApiResponse.send(response, 200, -2, "you already hold a ticket for this event",
                    OrderJson.of(reservation.order()));
            case NO_SUCH_EVENT -> throw ApiException.notFound("no such event: " + eventId);
        }
    }

    private static void checkBody(HttpServletRequest request) throws IOException {
        long length = request.getContentLengthLong();
        if (length > MAX_BODY_BYTES) {
            throw new ApiException(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        boolean hasBody = length > 0 || request.getHeader("Transfer-Encoding") != null;
        String type = request.getContentType();
        if (hasBody && (type == null || !type.toLowerCase(Locale.ROOT).startsWith(FORM))) {
            throw new ApiException(415, "Content-Type must be " + FORM);
        }
        request.setCharacterEncoding("UTF-8");
    }
}
