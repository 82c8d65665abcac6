package io.ticketrush.web.buyer;

import io.ticketrush.model.BuyerKey;
import io.ticketrush.model.Order;
import io.ticketrush.order.Orders;
import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;
import io.ticketrush.web.Form;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /orders/{orderId}} and {@code POST /orders/{orderId}/pay}. With authenticated buyers (see {@link Buyers})
 * an order is its buyer's only: to anyone else it does not exist.
 */
@WebServlet("/orders/*")
public class OrderServlet extends ApiServlet {

    private static final String PAY = "/pay";

    /** An order's form is at most the buyer's id. */
    private static final int MAX_BODY_BYTES = 1024;

    @Inject
    Orders orders;

    @Inject
    Buyers buyers;

    @Override
    protected void handle(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.length() < 2) {
            throw ApiException.notFound("no such path");
        }
        boolean pay = path.endsWith(PAY);
        String orderId = path.substring(1, pay ? path.length() - PAY.length() : path.length());
        if (orderId.indexOf('/') >= 0) {
            throw ApiException.notFound("no such path");
        }
        if (pay) {
            if (!"POST".equals(request.getMethod())) {
                throw methodNotAllowed(request, response, "POST");
            }
            String buyer = buyer(request, response);
            if (buyer != null) {
                // Looked up first: another buyer's order is neither paid nor told apart from one that does not exist.
                ownOrder(orderId, buyer);
            }
            Orders.Payment payment = orders.pay(orderId).orElseThrow(() -> noSuchOrder(orderId));
            if (payment.paid()) {
                ApiResponse.send(response, 200, 1, "paid", OrderJson.of(payment.order()));
            } else {
                ApiResponse.send(
                        response,
                        409,
                        -409,
                        "the hold on this order expired; its ticket went back on sale",
                        OrderJson.of(payment.order()));
            }
        } else {
            if (!"GET".equals(request.getMethod())) {
                throw methodNotAllowed(request, response, "GET");
            }
            String buyer = buyer(request, response);
            Order order = buyer == null
                    ? orders.find(orderId).orElseThrow(() -> noSuchOrder(orderId))
                    : ownOrder(orderId, buyer);
            ApiResponse.send(response, 200, 1, "ok", OrderJson.of(order));
        }
    }

    /** The authenticated buyer, or null when buyers are not authenticated (anyone holding an order id may use it). */
    private String buyer(HttpServletRequest request, HttpServletResponse response) throws IOException {
        return buyers.authenticated() ? buyers.verified(request, response, Form.read(request, MAX_BODY_BYTES)) : null;
    }

    private Order ownOrder(String orderId, String buyer) {
        return orders.find(orderId)
                .filter(order -> BuyerKey.sameBuyer(order.userId(), buyer))
                .orElseThrow(() -> noSuchOrder(orderId));
    }

    private static ApiException noSuchOrder(String orderId) {
        return ApiException.notFound(Order.eventIdOf(orderId) == null ? "no such order" : "no such order: " + orderId);
    }
}
