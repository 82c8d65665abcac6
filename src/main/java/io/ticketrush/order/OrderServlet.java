package io.ticketrush.order;

import java.io.IOException;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.ticketrush.web.ApiException;
import io.ticketrush.web.ApiResponse;
import io.ticketrush.web.ApiServlet;

/** {@code GET /orders/{orderId}} and {@code POST /orders/{orderId}/pay}. */
@WebServlet("/orders/*")
public class OrderServlet extends ApiServlet {

    private static final String PAY = "/pay";

    @Inject
    Orders orders;

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
            Orders.Payment payment = orders.pay(orderId).orElseThrow(() -> noSuchOrder(orderId));
            if (payment.paid()) {
                ApiResponse.send(response, 200, 1, "paid", OrderJson.of(payment.order()));
            } else {
                ApiResponse.send(response, 409, -409, "the hold on this order expired; its ticket went back on sale",
                        OrderJson.of(payment.order()));
            }
        } else {
            if (!"GET".equals(request.getMethod())) {
                throw methodNotAllowed(request, response, "GET");
            }
            Order order = orders.find(orderId).orElseThrow(() -> noSuchOrder(orderId));
            ApiResponse.send(response, 200, 1, "ok", OrderJson.of(order));
        }
    }

    private static ApiException noSuchOrder(String orderId) {
        return ApiException.notFound(Order.eventIdOf(orderId) == null ? "no such order" : "no such order: " + orderId);
    }
}
