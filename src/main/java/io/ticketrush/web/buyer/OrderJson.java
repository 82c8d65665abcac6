package io.ticketrush.web.buyer;

import io.ticketrush.model.Order;
import io.ticketrush.web.ApiResponse;

/** The JSON form of an order, the {@code data} of every answer that carries one. */
public final class OrderJson {

    private OrderJson() {}

    public static ApiResponse.Data of(Order order) {
        return json -> json.write("orderId", order.orderId())
                .write("eventId", order.eventId())
                .write("userId", order.userId())
                .write("status", order.status().name())
                .write("expiresAt", order.expiresAt());
    }
}
