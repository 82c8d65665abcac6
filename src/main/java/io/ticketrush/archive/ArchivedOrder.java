package io.ticketrush.archive;

import io.ticketrush.model.Order;
import io.ticketrush.model.OrderStatus;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An order as PostgreSQL keeps it: written from the hand-off stream, never by the purchase path. */
@Entity
@Table(name = "ticket_order")
public class ArchivedOrder {

    @Id
    @Column(name = "order_id")
    private String orderId;

    @Column(name = "event_id", nullable = false)
    private String eventId;

    @Column(name = "user_id", nullable = false)
    private String userId;

    @Column(nullable = false)
    private String status;

    @Column(name = "expires_at", nullable = false)
    private long expiresAt;

    @Column(nullable = false)
    private long gen;

    @Column(name = "updated_at", nullable = false)
    private long updatedAt;

    protected ArchivedOrder() {
        // for JPA
    }

    /** The order as the API shows it; a reservation past its deadline reads EXPIRED, as it does from Redis. */
    Order toOrder(long nowMs) {
        OrderStatus current = OrderStatus.valueOf(status);
        if (current == OrderStatus.RESERVED && expiresAt <= nowMs) {
            current = OrderStatus.EXPIRED;
        }
        return new Order(orderId, eventId, userId, current, expiresAt);
    }

    /** The order as stored, a reservation past its deadline still RESERVED: Redis's sweeper decides that. */
    Order asStored() {
        return new Order(orderId, eventId, userId, OrderStatus.valueOf(status), expiresAt);
    }

    public String status() {
        return status;
    }

    /** The generation of the sale the order was made in. */
    long gen() {
        return gen;
    }
}
